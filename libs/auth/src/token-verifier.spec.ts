import { createLocalJWKSet, exportJWK, generateKeyPair, JWK, SignJWT } from 'jose';
import { ProblemError } from '@zt/http';
import { TokenVerifier } from './token-verifier';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const nowSeconds = NOW / 1000;

let es256: Key;
let jwks: { keys: JWK[] };

async function sign(
  claims: Record<string, unknown>,
  options: { alg?: string; key?: Key | Uint8Array; kid?: string } = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? 'ES256', kid: options.kid ?? 'k1' })
    .sign(options.key ?? es256);
}

function verifier(overrides: Partial<ConstructorParameters<typeof TokenVerifier>[0]> = {}): TokenVerifier {
  return new TokenVerifier({
    jwks: createLocalJWKSet(jwks),
    clockSkewSeconds: 30,
    now: () => NOW,
    ...overrides,
  });
}

async function rejection(v: TokenVerifier, token: string): Promise<string> {
  try {
    await v.verify(token);
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemError);
    expect((error as ProblemError).status).toBe(401);
    return (error as ProblemError).detail;
  }
  throw new Error('token was accepted');
}

const valid = { sub: 'alice@company.com', roles: ['engineer'], exp: nowSeconds + 600, iat: nowSeconds };

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  es256 = pair.privateKey;
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256' }] };
});

describe('TokenVerifier', () => {
  it('accepts a valid ES256 token and maps the seed claims', async () => {
    const token = await sign({ ...valid, device_posture: 'compliant', amr: ['pwd', 'mfa'], groups: ['eng'] });
    const principal = await verifier().verify(token);
    expect(principal).toMatchObject({
      sub: 'alice@company.com',
      roles: ['engineer'],
      groups: ['eng'],
      devicePosture: 'compliant',
      amr: ['pwd', 'mfa'],
      mfa: true,
    });
  });

  it('rejects HS256, RS256 and ES384 tokens: only ES256 is accepted', async () => {
    const hs = await sign(valid, {
      alg: 'HS256',
      key: new TextEncoder().encode('a-shared-secret-of-32-bytes-long!'),
    });
    const rs = await sign(valid, { alg: 'RS256', key: (await generateKeyPair('RS256')).privateKey });
    const es384 = await sign(valid, { alg: 'ES384', key: (await generateKeyPair('ES384')).privateKey });
    for (const [token, alg] of [
      [hs, 'HS256'],
      [rs, 'RS256'],
      [es384, 'ES384'],
    ]) {
      expect(await rejection(verifier(), token)).toBe(`token signed with ${alg}; only ES256 is accepted`);
    }
  });

  it('rejects an unsecured (alg none) token', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const body = Buffer.from(JSON.stringify(valid)).toString('base64url');
    expect(await rejection(verifier(), `${header}.${body}.`)).toMatch(/only ES256/);
  });

  it('rejects expired and not-yet-valid tokens beyond the clock skew, accepts within it', async () => {
    expect(await rejection(verifier(), await sign({ ...valid, exp: nowSeconds - 31 }))).toBe('token expired');
    expect(await rejection(verifier(), await sign({ ...valid, nbf: nowSeconds + 31 }))).toBe(
      'token is not valid yet',
    );
    await expect(verifier().verify(await sign({ ...valid, exp: nowSeconds - 29 }))).resolves.toBeDefined();
    await expect(verifier().verify(await sign({ ...valid, nbf: nowSeconds + 29 }))).resolves.toBeDefined();
  });

  it('checks issuer and audience when configured', async () => {
    const strict = verifier({ issuer: 'https://idp', audience: 'zt-api' });
    expect(await rejection(strict, await sign({ ...valid, iss: 'https://evil', aud: 'zt-api' }))).toBe(
      'token issuer mismatch',
    );
    expect(await rejection(strict, await sign({ ...valid, iss: 'https://idp', aud: 'other' }))).toBe(
      'token audience mismatch',
    );
    await expect(
      strict.verify(await sign({ ...valid, iss: 'https://idp', aud: 'zt-api' })),
    ).resolves.toBeDefined();
  });

  it('rejects unknown keys, tampered signatures, missing sub or exp, and oversize tokens', async () => {
    expect(await rejection(verifier(), await sign(valid, { kid: 'other' }))).toBe(
      'token signed with an unknown key',
    );
    const other = (await generateKeyPair('ES256')).privateKey;
    expect(await rejection(verifier(), await sign(valid, { key: other }))).toBe('token signature is invalid');
    const { sub: _sub, ...noSub } = valid;
    expect(await rejection(verifier(), await sign(noSub))).toMatch(/sub/);
    const { exp: _exp, ...noExp } = valid;
    expect(await rejection(verifier(), await sign(noExp))).toMatch(/exp/);
    expect(await rejection(verifier(), 'x'.repeat(9000))).toBe('token is malformed');
    expect(await rejection(verifier(), 'not-a-jwt')).toBe('token is malformed');
  });

  it('rejects claims of the wrong type', async () => {
    expect(await rejection(verifier(), await sign({ ...valid, roles: [1, 2] }))).toMatch(/roles/);
    expect(await rejection(verifier(), await sign({ ...valid, device_posture: { ok: true } }))).toMatch(
      /device_posture/,
    );
  });

  it('serves a cached principal without verifying again, but never past expiry', async () => {
    let now = NOW;
    const v = verifier({ now: () => now });
    const token = await sign({ ...valid, exp: nowSeconds + 60 });
    const first = await v.verify(token);
    expect(await v.verify(token)).toBe(first);
    now = NOW + 91_000; // past exp + skew
    expect(await rejection(v, token)).toBe('token expired');
  });
});
