import type { Principal } from '@zt/auth';
import { FieldError, ProblemError } from '@zt/http';
import type { DecisionResponse } from '../decisions/decisions.service';

/**
 * What forward-auth answers a gateway. nginx `auth_request` understands only 2xx (let the request
 * through), 401 and 403 (answer the client with that status); any other status becomes a 500 for
 * the client. So every denial is a 401 or a 403 with a problem+json body, never a 400 or 429;
 * only "the decision service cannot decide" (503) stays a 5xx: failing closed is right then, and
 * a 403 would tell the client it is forbidden when the service is down.
 */

/** RFC 9470 step-up challenge: the session must authenticate again with a second factor (as ext_authz). */
export const STEP_UP_CHALLENGE =
  'Bearer error="insufficient_user_authentication", error_description="multi-factor authentication required", acr_values="mfa"';
/** RFC 6750 §3.1: a request without credentials gets the scheme alone, without an error code. */
export const NO_TOKEN_CHALLENGE = 'Bearer';
/** RFC 6750 §3.1: a token that is malformed, expired, revoked or not ours. */
export const INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"';

/** A 2xx answer: the headers the gateway copies to the upstream, and a small body for people. */
export interface ForwardAuthGrant {
  headers: Record<string, string>;
  body: { decision: 'allow' | 'isolate'; decision_id: string; revision: number };
}

// Characters a header value carries as they are: visible ASCII but `%` (the escape) and `,`
// (the list separator of X-Zt-Roles). Anything else is percent-encoded as UTF-8.
const HEADER_SAFE = /^[\x21-\x24\x26-\x2b\x2d-\x7e]*$/;

/**
 * A value as one header field: unchanged when it is visible ASCII without `%` or `,`, else
 * percent-encoded as UTF-8 (a space, a comma, non-ASCII text, control characters). A token's
 * `sub` may hold anything; a raw CR or LF would be refused by Node (or split the header).
 */
export function headerValue(text: string): string {
  if (HEADER_SAFE.test(text)) return text;
  let out = '';
  for (const char of text) {
    if (HEADER_SAFE.test(char)) out += char;
    else
      out += encodeURIComponent(char).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      );
  }
  return out;
}

function decisionHeaders(response: DecisionResponse): Record<string, string> {
  return { 'x-zt-decision-id': response.decision_id, 'x-zt-policy-revision': String(response.revision) };
}

/**
 * The answer to a decision: allow → 200 with `X-Zt-Isolate: false`; isolate → 200 with `X-Zt-Isolate: true`, for the
 * upstream (or a gateway rule) to route the session into isolation, as ext_authz does; both with
 * the identity the upstream may trust (X-Zt-Subject: the token's `sub`; X-Zt-Roles: its roles,
 * comma-separated; each value percent-encoded where needed, see {@link headerValue}).
 * require_mfa → 401 with the RFC 9470 step-up challenge; deny → 403. Denials carry the end
 * user's reasons, never the administrator's.
 */
export function answerOf(response: DecisionResponse, principal: Principal): ForwardAuthGrant {
  if (response.decision === 'allow' || response.decision === 'isolate') {
    return {
      headers: {
        ...decisionHeaders(response),
        'x-zt-subject': headerValue(principal.sub),
        'x-zt-roles': principal.roles.map(headerValue).join(','),
        // Always sent, `false` too: a gateway that copies it must replace one a client sent, and
        // Caddy 2.6 copies a missing header as its placeholder's text.
        'x-zt-isolate': response.decision === 'isolate' ? 'true' : 'false',
      },
      body: { decision: response.decision, decision_id: response.decision_id, revision: response.revision },
    };
  }
  const members = {
    decision: response.decision,
    decision_id: response.decision_id,
    revision: response.revision,
    reasons: response.userReasons,
  };
  if (response.decision === 'require_mfa') {
    throw new ProblemError(
      401,
      'UNAUTHENTICATED',
      'Multi-factor authentication is required for this request.',
      {
        ...members,
        error: 'insufficient_user_authentication',
        headers: { ...decisionHeaders(response), 'www-authenticate': STEP_UP_CHALLENGE },
      },
    );
  }
  throw new ProblemError(403, 'FORBIDDEN', 'The policies deny this request.', {
    ...members,
    headers: decisionHeaders(response),
  });
}

/** 403 for a caller that is not a trusted proxy: the request it asks about is unknown. */
export function untrustedPeerProblem(): ProblemError {
  return new ProblemError(
    403,
    'FORBIDDEN',
    'Forward-auth answers only the gateways of TRUSTED_PROXIES; the request asked about is unknown.',
  );
}

/** 403 for forwarding headers that cannot be read as one request, naming each header. */
export function unreadableRequestProblem(errors: FieldError[]): ProblemError {
  return new ProblemError(403, 'FORBIDDEN', 'The forwarded request cannot be decided; it is denied.', {
    errors,
  });
}

/** 403 for a path whose meaning is ambiguous (request-path.ts), naming the header it came in. */
export function ambiguousPathProblem(pointer: string, reason: string): ProblemError {
  return unreadableRequestProblem([{ pointer, detail: reason }]);
}

/** 401 for a missing bearer token, with the bare challenge (RFC 6750 §3.1). */
export function noTokenProblem(): ProblemError {
  return new ProblemError(401, 'UNAUTHENTICATED', 'A bearer token is required.', {
    headers: { 'www-authenticate': NO_TOKEN_CHALLENGE },
  });
}

/**
 * A problem as nginx can pass it on: 401 keeps a challenge (invalid_token when it had none);
 * 400 and 429 become 403 with the same members (a 429 keeps its Retry-After and its code,
 * RATE_LIMITED, for the client to tell it from a policy denial); 401, 403 and 5xx stay.
 */
export function gatewayProblemOf(error: unknown): unknown {
  if (!(error instanceof ProblemError)) return error;
  if (error.status === 401) {
    if (error.extra.headers?.['www-authenticate'] !== undefined) return error;
    return new ProblemError(401, error.code, error.detail, {
      ...error.extra,
      headers: { ...error.extra.headers, 'www-authenticate': INVALID_TOKEN_CHALLENGE },
    });
  }
  if (error.status === 400 || error.status === 429)
    return new ProblemError(403, error.code, error.detail, error.extra);
  return error;
}
