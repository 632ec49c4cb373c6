import type { Principal } from '@zt/auth';
import { ProblemError } from '@zt/http';
import { asksAboutItself } from '../decisions/trust-model';
import { asksAboutThePast, assertMayTimeTravel, HISTORICAL_CALLER, instantOf } from './time-travel-access';

const caller = (roles: string[]): Principal => ({
  sub: 'audra@company.com',
  roles,
  groups: [],
  amr: ['pwd'],
  mfa: false,
  expiresAt: 0,
  claims: {},
});

function problemOf(run: () => unknown): ProblemError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemError);
    return error as ProblemError;
  }
  throw new Error('expected a problem');
}

describe('time travel access', () => {
  it('lets auditors and infra admins ask about the past', () => {
    expect(() => assertMayTimeTravel(caller(['auditor']))).not.toThrow();
    expect(() => assertMayTimeTravel(caller(['engineer', 'infra_admin']))).not.toThrow();
  });

  it('refuses other roles, pep included, with 403 ROLE_REQUIRED naming at', () => {
    for (const roles of [[], ['pep'], ['policy_admin', 'engineer']]) {
      const problem = problemOf(() => assertMayTimeTravel(caller(roles)));
      expect(problem.status).toBe(403);
      expect(problem.code).toBe('ROLE_REQUIRED');
      expect(problem.extra.errors?.[0].pointer).toBe('/at');
    }
  });

  it('reads at as an RFC 3339 instant, and refuses anything else at /at', () => {
    expect(instantOf('2025-03-01T10:00:00+01:00').toISOString()).toBe('2025-03-01T09:00:00.000Z');
    for (const at of ['2025-03-01', 'now', 1740823200, null, '']) {
      const problem = problemOf(() => instantOf(at));
      expect(problem.status).toBe(400);
      expect(problem.extra.errors?.[0].pointer).toBe('/at');
    }
  });

  it('sees at on a body, and nothing else', () => {
    expect(asksAboutThePast({ at: '2025-03-01T10:00:00Z', action: 'read' })).toBe(true);
    expect(asksAboutThePast({ action: 'read' })).toBe(false);
    expect(asksAboutThePast(null)).toBe(false);
    expect(asksAboutThePast('at')).toBe(false);
  });

  it('evaluates as nobody: no subject is the historical caller, so no token speaks for the past', () => {
    expect(asksAboutItself({ subject: { id: 'audra@company.com' } }, HISTORICAL_CALLER)).toBe(false);
    expect(asksAboutItself({ subject: { id: 'x' } }, HISTORICAL_CALLER)).toBe(false);
  });
});
