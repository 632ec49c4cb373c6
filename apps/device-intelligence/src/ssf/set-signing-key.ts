import { loadOrCreateSigningKey, SigningKey } from '@zt/auth';
import type { JWK } from 'jose';

/** The algorithm of every SET this transmitter signs (the CAEP interoperability profile asks RS256). */
export const SET_SIGNING_ALG = 'RS256' as const;
/** Smallest RSA modulus accepted, in bits (CAEP interoperability profile). */
export const MIN_RSA_BITS = 2048;

/** The private key that signs SETs and the public JWK receivers verify them with. */
export interface SetSigningKey {
  privateKey: SigningKey;
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

function checkedPrivateJwk(jwk: JWK, file: string): void {
  // A key a receiver would refuse must stop the transmitter at once, not fail every delivery later.
  if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.d !== 'string') {
    throw new Error(`SSF_SIGNING_KEY_FILE ${file}: not an RSA private JWK`);
  }
  if (rsaModulusBits(jwk.n) < MIN_RSA_BITS) {
    throw new Error(`SSF_SIGNING_KEY_FILE ${file}: RSA key shorter than ${MIN_RSA_BITS} bits`);
  }
}

/**
 * Loads the RS256 key that signs SETs from a JWK file (SSF_SIGNING_KEY_FILE), creating a 2048-bit
 * one on first use (the one mechanism of @zt/auth's key files), and refusing a key a receiver
 * would refuse.
 */
export function loadOrCreateSetSigningKey(file: string): Promise<SetSigningKey> {
  return loadOrCreateSigningKey(file, { alg: SET_SIGNING_ALG, check: (jwk) => checkedPrivateJwk(jwk, file) });
}
