import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, JWK } from 'jose';

/** The algorithm of every SET this transmitter signs (the CAEP interoperability profile asks RS256). */
export const SET_SIGNING_ALG = 'RS256';
/** Smallest RSA modulus accepted, in bits (CAEP interoperability profile). */
export const MIN_RSA_BITS = 2048;

/** The private key that signs SETs and the public JWK receivers verify them with. */
export interface SetSigningKey {
  privateKey: Awaited<ReturnType<typeof importJWK>>;
  publicJwk: JWK;
}

/** Bits of an RSA modulus given as base64url (JWK `n`), leading zero bytes not counted. */
export function rsaModulusBits(n: string): number {
  const bytes = Buffer.from(n, 'base64url');
  let first = 0;
  while (first < bytes.length && bytes[first] === 0) first++;
  if (first === bytes.length) return 0;
  return (bytes.length - first - 1) * 8 + (32 - Math.clz32(bytes[first] ?? 0));
}

function checkedPrivateJwk(jwk: JWK, file: string): JWK {
  // A key a receiver would refuse must stop the transmitter at once, not fail every delivery later.
  if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.d !== 'string') {
    throw new Error(`SSF_SIGNING_KEY_FILE ${file}: not an RSA private JWK`);
  }
  if (rsaModulusBits(jwk.n) < MIN_RSA_BITS) {
    throw new Error(`SSF_SIGNING_KEY_FILE ${file}: RSA key shorter than ${MIN_RSA_BITS} bits`);
  }
  return jwk;
}

/**
 * Loads the RS256 key that signs SETs from a JWK file, creating a 2048-bit one (directory 0700,
 * file 0600) on first use so receivers keep verifying with the same public key across restarts.
 */
export async function loadOrCreateSetSigningKey(file: string): Promise<SetSigningKey> {
  if (!existsSync(file)) {
    const { privateKey } = await generateKeyPair(SET_SIGNING_ALG, {
      modulusLength: MIN_RSA_BITS,
      extractable: true,
    });
    const created = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: SET_SIGNING_ALG, use: 'sig' };
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // Written aside, then linked into place: link fails if the file exists, so replicas starting
    // together on a shared file all end up with the first key, and none reads a half-written one.
    const aside = `${file}.${randomUUID()}.tmp`;
    writeFileSync(aside, JSON.stringify(created), { mode: 0o600 });
    try {
      linkSync(aside, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(aside);
    }
  }
  // A key left readable by a careless copy is made private again.
  chmodSync(file, 0o600);
  const privateJwk = checkedPrivateJwk(JSON.parse(readFileSync(file, 'utf8')) as JWK, file);
  const { kty, n, e } = privateJwk;
  // A key brought without kid gets its thumbprint (RFC 7638): the same on every replica and restart.
  const kid = privateJwk.kid ?? (await calculateJwkThumbprint({ kty, n, e }));
  // Only the public members: a JWKS must never carry d, p, q, dp, dq or qi.
  const publicJwk: JWK = { kty, n, e, kid, alg: SET_SIGNING_ALG, use: 'sig' };
  return { privateKey: await importJWK(privateJwk, SET_SIGNING_ALG), publicJwk };
}
