import type { Principal } from '@zt/auth';
import { ProblemError } from '@zt/http';
import type { DecisionResponse } from '../decisions/decisions.service';
import {
  answerOf,
  gatewayProblemOf,
  headerValue,
  INVALID_TOKEN_CHALLENGE,
  STEP_UP_CHALLENGE,
} from './forward-auth.answers';

const principal: Principal = {
  sub: 'alice',
  roles: ['dev', 'ops'],
  groups: [],
  amr: ['pwd'],
  mfa: false,
  expiresAt: 0,
  claims: {},
};

function response(decision: DecisionResponse['decision']): DecisionResponse {
  return {
    decision,
    decision_id: 'd-1',
    revision: 4,
    decidingPolicies: [],
    reasons: ['admin reason'],
    userReasons: ['user reason'],
    obligations: [],
    audit: [],
    candidates: [],
  };
}

function thrown(work: () => unknown): ProblemError {
  try {
    work();
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

describe('answerOf', () => {
  it('grants allow with the decision id and the identity the upstream may trust', () => {
    expect(answerOf(response('allow'), principal)).toEqual({
      headers: {
        'x-zt-decision-id': 'd-1',
        'x-zt-policy-revision': '4',
        'x-zt-subject': 'alice',
        'x-zt-roles': 'dev,ops',
        'x-zt-isolate': 'false',
      },
      body: { decision: 'allow', decision_id: 'd-1', revision: 4 },
    });
  });

  it('grants isolate with X-Zt-Isolate: true, as ext_authz does', () => {
    const grant = answerOf(response('isolate'), principal);
    expect(grant.headers['x-zt-isolate']).toBe('true');
    expect(grant.body.decision).toBe('isolate');
  });

  it('answers require_mfa with 401 and the RFC 9470 step-up challenge', () => {
    const problem = thrown(() => answerOf(response('require_mfa'), principal));
    expect(problem.status).toBe(401);
    expect(problem.extra.headers).toMatchObject({
      'www-authenticate': STEP_UP_CHALLENGE,
      'x-zt-decision-id': 'd-1',
    });
    expect(problem.extra).toMatchObject({
      error: 'insufficient_user_authentication',
      reasons: ['user reason'],
    });
  });

  it("answers deny with 403 and the user's reasons, never the administrator's", () => {
    const problem = thrown(() => answerOf(response('deny'), principal));
    expect(problem.status).toBe(403);
    expect(problem.extra).toMatchObject({ decision: 'deny', decision_id: 'd-1', reasons: ['user reason'] });
    expect(JSON.stringify(problem.extra)).not.toContain('admin reason');
  });

  it('percent-encodes identity values a header cannot carry as they are', () => {
    const grant = answerOf(response('allow'), {
      ...principal,
      sub: 'Zoë Smith\r\nX-Evil: 1',
      roles: ['a,b', '100%'],
    });
    expect(grant.headers['x-zt-subject']).toBe('Zo%C3%AB%20Smith%0D%0AX-Evil:%201');
    expect(grant.headers['x-zt-roles']).toBe('a%2Cb,100%25');
    expect(decodeURIComponent(grant.headers['x-zt-subject'])).toBe('Zoë Smith\r\nX-Evil: 1');
  });
});

describe('headerValue', () => {
  it('keeps visible ASCII, encodes the rest so that decoding gives the text back', () => {
    expect(headerValue('user:42@idp')).toBe('user:42@idp');
    for (const text of ['a b', 'ü', '%', ',', '\u0000', '😀', "(')*!"]) {
      expect(headerValue(text)).toMatch(/^[\x21-\x7e]*$/);
      expect(decodeURIComponent(headerValue(text))).toBe(text);
    }
  });
});

describe('gatewayProblemOf', () => {
  it('turns a rate limit (429) into a 403 that keeps its code and Retry-After: nginx makes a 429 a 500', () => {
    const mapped = gatewayProblemOf(
      new ProblemError(429, 'RATE_LIMITED', 'slow down', { headers: { 'retry-after': '2' } }),
    ) as ProblemError;
    expect(mapped.status).toBe(403);
    expect(mapped.code).toBe('RATE_LIMITED');
    expect(mapped.extra.headers).toEqual({ 'retry-after': '2' });
  });

  it('turns a 400 into a 403 with the same errors', () => {
    const errors = [{ pointer: '/x', detail: 'bad' }];
    const mapped = gatewayProblemOf(
      new ProblemError(400, 'VALIDATION_FAILED', 'bad', { errors }),
    ) as ProblemError;
    expect(mapped.status).toBe(403);
    expect(mapped.extra.errors).toEqual(errors);
  });

  it('gives a 401 without a challenge the invalid_token one', () => {
    const mapped = gatewayProblemOf(new ProblemError(401, 'UNAUTHENTICATED', 'expired')) as ProblemError;
    expect(mapped.extra.headers).toEqual({ 'www-authenticate': INVALID_TOKEN_CHALLENGE });
  });

  it('leaves 403, 503 and errors that are not problems as they are', () => {
    const forbidden = new ProblemError(403, 'FORBIDDEN', 'no');
    const unavailable = new ProblemError(503, 'NOT_READY', 'later');
    const other = new Error('boom');
    expect(gatewayProblemOf(forbidden)).toBe(forbidden);
    expect(gatewayProblemOf(unavailable)).toBe(unavailable);
    expect(gatewayProblemOf(other)).toBe(other);
  });
});
