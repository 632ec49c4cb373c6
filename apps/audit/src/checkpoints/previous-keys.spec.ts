import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { readPreviousKeys } from './previous-keys';

describe('readPreviousKeys', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'zt-prev-keys-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const file = (content: unknown) => {
    const path = join(root, 'keys.json');
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const key = async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    return { ...(await exportJWK(privateKey)), kid: 'old-1' };
  };

  it('is empty when no file is configured', () => {
    expect(readPreviousKeys(undefined)).toEqual([]);
  });

  it('reads the public members of each ES256 key', async () => {
    const { d: _secret, ...publicJwk } = await key();
    expect(readPreviousKeys(file({ keys: [publicJwk] }))).toEqual([
      { kty: 'EC', crv: 'P-256', x: publicJwk.x, y: publicJwk.y, kid: 'old-1', alg: 'ES256', use: 'sig' },
    ]);
  });

  it('refuses, naming the variable, a private key, a key of another type, a missing kid or a bad file', async () => {
    const privateJwk = await key();
    const { d: _secret, kid: _kid, ...noKid } = privateJwk;
    expect(() => readPreviousKeys(file({ keys: [privateJwk] }))).toThrow(
      'AUDIT_PREVIOUS_KEYS_FILE key 0 is a private key',
    );
    expect(() => readPreviousKeys(file({ keys: [{ kty: 'RSA', n: 'x', e: 'AQAB', kid: 'r' }] }))).toThrow(
      'AUDIT_PREVIOUS_KEYS_FILE key 0 is not an ES256',
    );
    expect(() => readPreviousKeys(file({ keys: [noKid] }))).toThrow(
      'AUDIT_PREVIOUS_KEYS_FILE key 0 has no kid',
    );
    expect(() => readPreviousKeys(file('not json'))).toThrow(
      'AUDIT_PREVIOUS_KEYS_FILE must name a readable JWKS',
    );
    expect(() => readPreviousKeys(file({ key: [] }))).toThrow('AUDIT_PREVIOUS_KEYS_FILE must hold a JWKS');
  });
});
