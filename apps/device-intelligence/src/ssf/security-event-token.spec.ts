import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, jwtVerify } from 'jose';
import { signSecurityEvent, SET_TYPE, VERIFICATION_EVENT } from './security-event-token';
import { loadOrCreateSetSigningKey, rsaModulusBits } from './set-signing-key';

const dir = () => mkdtempSync(join(tmpdir(), 'ssf-key-'));

describe('SET signing key', () => {
  it('creates a 2048-bit RS256 key once, private to its owner, and loads the same key again', async () => {
    const file = join(dir(), 'nested', 'key.jwk.json');
    const first = await loadOrCreateSetSigningKey(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.publicJwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(rsaModulusBits(first.publicJwk.n ?? '')).toBe(2048);
    const again = await loadOrCreateSetSigningKey(file);
    expect(again.publicJwk).toEqual(first.publicJwk);
  });

  it('gives replicas that create the key at once the same key', async () => {
    const file = join(dir(), 'shared.json');
    const keys = await Promise.all([1, 2, 3].map(() => loadOrCreateSetSigningKey(file)));
    expect(new Set(keys.map((k) => k.publicJwk.kid)).size).toBe(1);
  });

  it('names a key brought without kid by its thumbprint, the same at every load', async () => {
    const file = join(dir(), 'brought.json');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(file, JSON.stringify(privateKey.export({ format: 'jwk' })));
    const [a, b] = await Promise.all([loadOrCreateSetSigningKey(file), loadOrCreateSetSigningKey(file)]);
    expect(a.publicJwk.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(b.publicJwk.kid).toBe(a.publicJwk.kid);
  });

  it('publishes no private member of the key', async () => {
    const { publicJwk } = await loadOrCreateSetSigningKey(join(dir(), 'k.json'));
    expect(Object.keys(publicJwk).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
  });

  it('refuses an RSA key shorter than 2048 bits and a key that is not RSA', async () => {
    const short = join(dir(), 'short.json');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    writeFileSync(short, JSON.stringify(privateKey.export({ format: 'jwk' })));
    await expect(loadOrCreateSetSigningKey(short)).rejects.toThrow(/shorter than 2048 bits/);
    const ec = join(dir(), 'ec.json');
    const pair = await generateKeyPair('ES256', { extractable: true });
    writeFileSync(ec, JSON.stringify(await exportJWK(pair.privateKey)));
    await expect(loadOrCreateSetSigningKey(ec)).rejects.toThrow(/not an RSA private JWK/);
  });
});

describe('signSecurityEvent', () => {
  it('signs a SET with typ secevent+jwt and kid, carrying iss, aud, iat, jti, sub_id and events', async () => {
    const file = join(dir(), 'k.json');
    const key = await loadOrCreateSetSigningKey(file);
    const at = new Date('2026-01-02T03:04:05Z');
    const { jti, jwt } = await signSecurityEvent(
      {
        issuer: 'https://zt.example',
        audience: 'receiver-1',
        subject: { format: 'opaque', id: 'stream-1' },
        events: { [VERIFICATION_EVENT]: { state: 'abc' } },
      },
      key,
      at,
    );
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'RS256', typ: SET_TYPE, kid: key.publicJwk.kid });
    const publicKey = await importJWK(key.publicJwk, 'RS256');
    const { payload } = await jwtVerify(jwt, publicKey, {
      issuer: 'https://zt.example',
      audience: 'receiver-1',
      typ: SET_TYPE,
      currentDate: at,
    });
    expect(payload).toEqual({
      iss: 'https://zt.example',
      aud: 'receiver-1',
      iat: at.getTime() / 1000,
      jti,
      sub_id: { format: 'opaque', id: 'stream-1' },
      events: { [VERIFICATION_EVENT]: { state: 'abc' } },
    });
    expect(payload.exp).toBeUndefined();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveProperty('d');
  });

  it('gives every SET its own jti', async () => {
    const key = await loadOrCreateSetSigningKey(join(dir(), 'k.json'));
    const event = {
      issuer: 'https://zt.example',
      audience: ['a', 'b'],
      subject: { format: 'email' as const, email: 'ana@company.com' },
      events: { [VERIFICATION_EVENT]: {} },
    };
    const [a, b] = await Promise.all([signSecurityEvent(event, key), signSecurityEvent(event, key)]);
    expect(a?.jti).not.toEqual(b?.jti);
  });
});
