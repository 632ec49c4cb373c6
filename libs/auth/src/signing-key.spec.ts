import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateSigningKey } from './signing-key';

describe('loadOrCreateSigningKey', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'zt-key-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const mode = (path: string) => statSync(path).mode & 0o777;

  it('creates the key private to its owner and loads the same key again', async () => {
    const file = join(root, 'keys', 'key.jwk.json');
    const created = await loadOrCreateSigningKey(file);
    expect(mode(join(root, 'keys'))).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    expect((await loadOrCreateSigningKey(file)).publicJwk).toEqual(created.publicJwk);
  });

  it('makes a key file left readable by others private again', async () => {
    const file = join(root, 'key.jwk.json');
    await loadOrCreateSigningKey(file);
    chmodSync(file, 0o644);
    await loadOrCreateSigningKey(file);
    expect(mode(file)).toBe(0o600);
  });
});
