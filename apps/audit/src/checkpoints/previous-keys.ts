import { readFileSync } from 'node:fs';
import { ConfigError } from '@zt/config';
import type { JWK } from 'jose';

const VARIABLE = 'AUDIT_PREVIOUS_KEYS_FILE';

/**
 * The public keys that signed earlier checkpoints, from a JWKS file (AUDIT_PREVIOUS_KEYS_FILE):
 * after a key rotation they keep older checkpoints verifiable online and offline. Only public
 * ES256 (P-256) keys with a `kid` are accepted, so a private key copied by mistake is refused at
 * boot rather than served at /audit/keys.
 */
export function readPreviousKeys(file: string | undefined): JWK[] {
  if (file === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(VARIABLE, `must name a readable JWKS file: ${(error as Error).message}`);
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new ConfigError(VARIABLE, 'must hold a JWKS: {"keys": [...]}');
  return keys.map((key: unknown, i) => {
    const jwk = key as JWK | null;
    if (jwk === null || typeof jwk !== 'object' || jwk.kty !== 'EC' || jwk.crv !== 'P-256') {
      throw new ConfigError(VARIABLE, `key ${i} is not an ES256 (EC P-256) public key`);
    }
    if (jwk.d !== undefined)
      throw new ConfigError(VARIABLE, `key ${i} is a private key; keep only its public half`);
    if (typeof jwk.kid !== 'string' || jwk.kid === '') throw new ConfigError(VARIABLE, `key ${i} has no kid`);
    return { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, kid: jwk.kid, alg: 'ES256', use: 'sig' };
  });
}
