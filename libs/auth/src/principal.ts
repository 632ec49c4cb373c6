import { unauthenticatedProblem } from '@zt/http';
import { isMultiFactor } from '@zt/policy-engine';

/** The authenticated caller, taken from a verified token's claims. */
export interface Principal {
  sub: string;
  roles: string[];
  groups: string[];
  devicePosture?: string;
  /** Authentication methods (RFC 8176), e.g. `pwd`, `mfa`, `otp`, `hwk`. */
  amr: string[];
  acr?: string;
  /** True when the authentication used more than one factor. */
  mfa: boolean;
  /** Token expiry, epoch seconds. */
  expiresAt: number;
  claims: Record<string, unknown>;
}

const MAX_NAMES = 100;
const MAX_NAME_LENGTH = 256;

function names(claims: Record<string, unknown>, claim: string): string[] {
  const value = claims[claim];
  if (value === undefined) return [];
  const list = typeof value === 'string' ? value.split(' ').filter((s) => s.length > 0) : value;
  if (
    !Array.isArray(list) ||
    list.length > MAX_NAMES ||
    !list.every((v): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_NAME_LENGTH)
  ) {
    throw unauthenticatedProblem(`claim ${claim} must be a list of at most ${MAX_NAMES} short strings`);
  }
  return list;
}

function optionalString(claims: Record<string, unknown>, claim: string): string | undefined {
  const value = claims[claim];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length > MAX_NAME_LENGTH) {
    throw unauthenticatedProblem(`claim ${claim} must be a short string`);
  }
  return value;
}

/** Maps verified claims to a principal, refusing claims of the wrong type or size. */
export function principalFromClaims(claims: Record<string, unknown>): Principal {
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_NAME_LENGTH) {
    throw unauthenticatedProblem('token has no valid sub claim');
  }
  if (typeof claims.exp !== 'number') throw unauthenticatedProblem('token has no exp claim');
  const amr = names(claims, 'amr');
  const devicePosture = optionalString(claims, 'device_posture');
  const acr = optionalString(claims, 'acr');
  return {
    sub,
    roles: names(claims, 'roles'),
    groups: names(claims, 'groups'),
    ...(devicePosture === undefined ? {} : { devicePosture }),
    amr,
    ...(acr === undefined ? {} : { acr }),
    mfa: isMultiFactor(amr),
    expiresAt: claims.exp,
    claims,
  };
}
