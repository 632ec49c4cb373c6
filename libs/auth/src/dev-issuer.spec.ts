import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevIssuer } from './dev-issuer';
import { TokenVerifier } from './token-verifier';

describe('DevIssuer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zt-issuer-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps one private key on disk (0600) and reloads it, so tokens survive restarts', async () => {
    const first = await DevIssuer.loadOrCreate(dir);
    const token = await first.mint({ sub: 'alice@company.com', roles: ['engineer'], mfa: true });
    const second = await DevIssuer.loadOrCreate(dir);
    expect(second.jwks()).toEqual(first.jwks());
    expect(statSync(join(dir, 'dev-issuer', 'es256.private.jwk.json')).mode & 0o777).toBe(0o600);
    const principal = await new TokenVerifier({ jwks: second.keyResolver(), clockSkewSeconds: 0 }).verify(
      token,
    );
    expect(principal).toMatchObject({ sub: 'alice@company.com', roles: ['engineer'], mfa: true });
  });

  it('publishes only the public key', async () => {
    const issuer = await DevIssuer.loadOrCreate(dir);
    const [key] = issuer.jwks().keys;
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(key.d).toBeUndefined();
  });
});
