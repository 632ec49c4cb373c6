import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, JWK } from 'jose';

/** A private ES256 key as jose uses it. */
export type SigningKey = Awaited<ReturnType<typeof importJWK>>;

/**
 * Loads an ES256 private key kept as a JWK file, creating it (directory 0700, file 0600) on
 * first use, so signatures stay verifiable with the same public key across restarts.
 */
export async function loadOrCreateSigningKey(
  file: string,
): Promise<{ privateKey: SigningKey; publicJwk: JWK }> {
  let privateJwk: JWK;
  if (existsSync(file)) {
    // A key left readable by an older version (or a careless copy) is made private again.
    chmodSync(file, 0o600);
    privateJwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } else {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    privateJwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'ES256', use: 'sig' };
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(file, JSON.stringify(privateJwk), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  // The public half is the private JWK without its secret member `d`.
  const { d, ...publicJwk } = privateJwk;
  return { privateKey: await importJWK(privateJwk, 'ES256'), publicJwk };
}
