import { hash } from 'node:crypto';
import { decodeProtectedHeader, JWTVerifyGetKey, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { unauthenticatedProblem, ProblemError } from '@zt/http';
import { Principal, principalFromClaims } from './principal';

/** The one accepted signature algorithm (seed: "Token must be signed using ES256"). */
export const ACCEPTED_ALGORITHM = 'ES256';

const MAX_TOKEN_LENGTH = 8 * 1024;
// Verified tokens are reused for at most this long even if they live longer, so a key removed
// from the JWKS stops being honoured within minutes.
const MAX_CACHE_MS = 5 * 60 * 1000;

export interface TokenVerifierOptions {
  jwks: JWTVerifyGetKey;
  issuer?: string;
  audience?: string;
  clockSkewSeconds: number;
  cacheSize?: number;
  /** Current time in epoch milliseconds; injectable for tests. */
  now?: () => number;
}

interface CachedPrincipal {
  principal: Principal;
  validUntil: number;
}

// jose's error codes mapped to what a caller may be told; none reveals key material.
const REASONS: Record<string, string> = {
  ERR_JWT_EXPIRED: 'token expired',
  ERR_JWKS_NO_MATCHING_KEY: 'token signed with an unknown key',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'token signature is invalid',
  ERR_JWKS_TIMEOUT: 'the token issuer keys could not be fetched in time',
  ERR_JWKS_INVALID: 'the token issuer keys are invalid',
  ERR_JOSE_ALG_NOT_ALLOWED: `only ${ACCEPTED_ALGORITHM} tokens are accepted`,
};

function claimFailure(error: { claim?: unknown; reason?: unknown }): string {
  switch (error.claim) {
    case 'nbf':
      return 'token is not valid yet';
    case 'iss':
      return 'token issuer mismatch';
    case 'aud':
      return 'token audience mismatch';
    case 'exp':
      return 'token has no valid exp claim';
    default:
      return `token claim ${String(error.claim)} is invalid`;
  }
}

/**
 * Verifies bearer tokens: ES256 only, keys from a JWKS, exp required, nbf/iss/aud checked with a
 * small clock skew. Verified tokens are cached by their SHA-256 until they expire, because an
 * ES256 verification costs tens of microseconds of CPU on every request otherwise.
 */
export class TokenVerifier {
  private readonly cache: LRUCache<string, CachedPrincipal>;
  private readonly now: () => number;

  constructor(private readonly options: TokenVerifierOptions) {
    this.cache = new LRUCache({ max: options.cacheSize ?? 10_000 });
    this.now = options.now ?? Date.now;
  }

  /** Returns the token's principal or throws a 401 problem saying why not. */
  async verify(token: string): Promise<Principal> {
    if (token.length === 0 || token.length > MAX_TOKEN_LENGTH)
      throw unauthenticatedProblem('token is malformed');
    const key = hash('sha256', token, 'base64url');
    const now = this.now();
    const cached = this.cache.get(key);
    if (cached && cached.validUntil > now) return cached.principal;
    const principal = await this.verifyUncached(token, now);
    const expiresMs = (principal.expiresAt + this.options.clockSkewSeconds) * 1000;
    this.cache.set(key, { principal, validUntil: Math.min(expiresMs, now + MAX_CACHE_MS) });
    return principal;
  }

  private async verifyUncached(token: string, now: number): Promise<Principal> {
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw unauthenticatedProblem('token is malformed');
    }
    if (alg !== ACCEPTED_ALGORITHM) {
      throw unauthenticatedProblem(
        `token signed with ${String(alg)}; only ${ACCEPTED_ALGORITHM} is accepted`,
      );
    }
    try {
      const { payload } = await jwtVerify(token, this.options.jwks, {
        algorithms: [ACCEPTED_ALGORITHM],
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockSkewSeconds,
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(now),
      });
      return principalFromClaims(payload);
    } catch (error) {
      if (error instanceof ProblemError) throw error;
      const e = error as { code?: string; claim?: unknown };
      if (e.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') throw unauthenticatedProblem(claimFailure(e));
      throw unauthenticatedProblem(REASONS[e.code ?? ''] ?? 'token is invalid');
    }
  }
}
