// What the enforcement point answers instead of the application: problem+json bodies that say
// only what the user may know (userReasons, never the policies or the admin explanation).
import type { Decision, Problem } from '../api-types.js';

/** A refusal to send: status, headers and problem+json body. */
export interface Refusal {
  status: number;
  headers: Record<string, string>;
  body: Problem;
}

const PROBLEM = 'application/problem+json';

/** Quoted-string content of an auth-param (RFC 9110): no quotes, backslashes or control characters. */
function quoted(text: string): string {
  return [...text.replace(/[\\"]/g, "'")].map((c) => (c < ' ' || c === '\u007f' ? ' ' : c)).join('');
}

/** 403: the decision point denied; the body carries the user-facing reasons only. */
export function denied(decision: Decision): Refusal {
  return {
    status: 403,
    headers: { 'content-type': PROBLEM },
    body: {
      type: 'about:blank',
      title: 'Forbidden',
      status: 403,
      detail: decision.userReasons.join(' ') || 'You do not have access to this resource.',
      code: 'ACCESS_DENIED',
      decision_id: decision.decision_id,
      user_reasons: decision.userReasons,
    },
  };
}

/** What a step-up challenge asks for (RFC 9470). */
export interface StepUpOptions {
  /** `acr_values` of the challenge: the authentication context the identity provider must reach (default "mfa"). */
  acrValues?: string;
  /** `max_age` of the challenge, in seconds, when the authentication must also be recent. */
  maxAgeSeconds?: number;
}

/** 401 with the RFC 9470 step-up challenge: the decision needs a stronger authentication. */
export function stepUp(decision: Decision, options: StepUpOptions = {}): Refusal {
  const description = decision.userReasons.join(' ') || 'A stronger authentication is required.';
  const challenge = [
    'Bearer error="insufficient_user_authentication"',
    `error_description="${quoted(description)}"`,
    `acr_values="${quoted(options.acrValues ?? 'mfa')}"`,
    ...(options.maxAgeSeconds !== undefined ? [`max_age=${Math.floor(options.maxAgeSeconds)}`] : []),
  ].join(', ');
  return {
    status: 401,
    headers: { 'content-type': PROBLEM, 'www-authenticate': challenge },
    body: {
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      detail: description,
      code: 'MFA_REQUIRED',
      decision_id: decision.decision_id,
      user_reasons: decision.userReasons,
    },
  };
}

/** 401: no bearer token to forward, or the decision point refused the one forwarded. */
export function unauthenticated(detail: string): Refusal {
  return {
    status: 401,
    headers: { 'content-type': PROBLEM, 'www-authenticate': 'Bearer' },
    body: { type: 'about:blank', title: 'Unauthorized', status: 401, detail, code: 'UNAUTHENTICATED' },
  };
}

/** 503: no decision could be had, and the route fails closed. */
export function unavailable(detail: string): Refusal {
  return {
    status: 503,
    headers: { 'content-type': PROBLEM, 'retry-after': '1' },
    body: {
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail,
      code: 'DECISION_UNAVAILABLE',
    },
  };
}
