import type { Principal } from '@zt/auth';
import { parseRfc3339 } from '@zt/contracts';
import { ProblemError, validationProblem } from '@zt/http';
import { PEP_ROLE } from '../decisions/trust-model';

/** The roles that may ask what was true at a past time (access review). */
export const TIME_TRAVEL_ROLES = ['auditor', 'infra_admin'] as const;

/**
 * Whom a historical question is evaluated as: nobody's token. The caller's token speaks for its
 * session now, not for anyone then, so no subject ever matches this caller (no subject id is
 * empty) and the request's facts stand as sent, joined by the directories as they were; the pep
 * role lets it name any subject, as access review must (the caller's own role was checked first,
 * and an answer about the past enforces nothing).
 */
export const HISTORICAL_CALLER: Principal = Object.freeze({
  sub: '',
  roles: [PEP_ROLE],
  groups: [],
  amr: [],
  mfa: false,
  expiresAt: 0,
  claims: {},
});

/** Whether a request body asks about a past time: the one check the live paths pay. */
export function asksAboutThePast(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { at?: unknown }).at !== undefined;
}

/** Refuses, with 403 ROLE_REQUIRED naming `at`, a caller that is neither auditor nor infra_admin. */
export function assertMayTimeTravel(principal: Principal): void {
  if (TIME_TRAVEL_ROLES.some((role) => principal.roles.includes(role))) return;
  throw new ProblemError(
    403,
    'ROLE_REQUIRED',
    `Asking what was true at a past time requires the role ${TIME_TRAVEL_ROLES.join(' or ')}.`,
    {
      requiredRoles: [...TIME_TRAVEL_ROLES],
      errors: [{ pointer: '/at', detail: `requires the role ${TIME_TRAVEL_ROLES.join(' or ')}` }],
    },
  );
}

/** The instant `at` names; 400 with the pointer `/at` when it is not an RFC 3339 date-time. */
export function instantOf(at: unknown): Date {
  const instant = typeof at === 'string' ? parseRfc3339(at) : undefined;
  if (!instant) {
    throw validationProblem([{ pointer: '/at', detail: 'must be an RFC 3339 date-time with an offset' }]);
  }
  return instant;
}
