import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, JWK, SignJWT } from 'jose';

/** An OAuth issuer of the test's own: an ES256 key, its JWKS over HTTP, and a minting function. */
export interface TestIssuer {
  jwksUrl: string;
  issuer: string;
  mint(claims: { sub: string; roles: string[]; amr?: string[] }): Promise<string>;
  close(): Promise<void>;
}

/** Starts a JWKS server on a free loopback port, as an outside identity provider would run. */
export async function startTestIssuer(issuer = 'https://issuer.test'): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key-1', alg: 'ES256', use: 'sig' };
  const server: Server = createServer((req, res) => {
    res.writeHead(req.url === '/jwks.json' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(req.url === '/jwks.json' ? JSON.stringify({ keys: [jwk] }) : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    jwksUrl: `http://127.0.0.1:${port}/jwks.json`,
    issuer,
    mint: ({ sub, roles, amr }) =>
      new SignJWT({ roles, amr: amr ?? ['pwd'] })
        .setProtectedHeader({ alg: 'ES256', kid: 'test-key-1' })
        .setSubject(sub)
        .setIssuer(issuer)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(privateKey),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
