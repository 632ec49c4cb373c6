import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, JWK } from 'jose';

/** A private key as jose uses it. */
export type SigningKey = Awaited<ReturnType<typeof importJWK>>;

/** The algorithms keys are kept for: ES256 (tokens, audit checkpoints), RS256 (SSF's SETs). */
export type SigningAlgorithm = 'ES256' | 'RS256';

/** How a key file is made and checked. */
export interface KeyFileOptions {
  /** Default ES256. */
  alg?: SigningAlgorithm;
  /** Refuses a key the caller cannot use (throws), before it is imported. */
  check?: (privateJwk: JWK) => void;
}

// The size of a created RSA key: what the CAEP interoperability profile asks at least.
const RSA_BITS = 2048;
// The members of a JWK that are secret (RFC 7518 §6.2.2 and §6.3.2): never in a public JWK.
const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth']);

/** Creates the key file unless it exists. Written aside and linked into place: link fails when
 * the file exists, so processes starting together on a shared file all end up with the first
 * key, and none reads a half-written one. */
async function createKeyFile(file: string, alg: SigningAlgorithm): Promise<void> {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'RS256' ? { modulusLength: RSA_BITS } : {}),
  });
  const created = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg, use: 'sig' };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
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

/**
 * Loads a private key kept as a JWK file, creating it (directory 0700, file 0600) on first use,
 * so signatures stay verifiable with the same public key across restarts. The public JWK has no
 * secret member; a key brought without `kid` gets its thumbprint (RFC 7638), the same on every
 * process and restart.
 */
export async function loadOrCreateSigningKey(
  file: string,
  options: KeyFileOptions = {},
): Promise<{ privateKey: SigningKey; publicJwk: JWK }> {
  const alg = options.alg ?? 'ES256';
  if (!existsSync(file)) await createKeyFile(file, alg);
  // A key left readable by an older version (or a careless copy) is made private again.
  chmodSync(file, 0o600);
  const privateJwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  options.check?.(privateJwk);
  const publicJwk = Object.fromEntries(
    Object.entries(privateJwk).filter(([member]) => !PRIVATE_MEMBERS.has(member)),
  ) as JWK;
  publicJwk.kid ??= await calculateJwkThumbprint(publicJwk);
  return { privateKey: await importJWK(privateJwk, alg), publicJwk: { ...publicJwk, alg, use: 'sig' } };
}
