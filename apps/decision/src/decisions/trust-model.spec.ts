import type { Principal } from '@zt/auth';
import type { DirectoryPrincipal } from '@zt/contracts';
import { ProblemError } from '@zt/http';
import type { DecisionRequest } from '@zt/policy-engine';
import {
  asksAboutItself,
  assertMayAskAbout,
  DecisionBody,
  withDirectoryFacts,
  withTokenFacts,
} from './trust-model';

const principal = (over: Partial<Principal> = {}): Principal => ({
  sub: 'mallory@company.com',
  roles: ['engineer'],
  groups: ['engineering'],
  amr: ['pwd'],
  mfa: false,
  expiresAt: 2_000_000_000,
  claims: {},
  ...over,
});
const body = (over: Partial<DecisionBody> = {}): DecisionBody => ({
  action: 'open',
  resource: { id: 'console.prod' },
  ...over,
});

function refusal(run: () => void): ProblemError | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error as ProblemError;
  }
}

describe('assertMayAskAbout', () => {
  it('lets any caller ask about itself, with or without naming itself', () => {
    expect(() => assertMayAskAbout(body(), principal())).not.toThrow();
    expect(() =>
      assertMayAskAbout(body({ subject: { id: 'mallory@company.com' } }), principal()),
    ).not.toThrow();
    expect(asksAboutItself(body({ subject: { id: 'mallory@company.com' } }), principal())).toBe(true);
  });

  it('refuses a caller without the pep role asking about another subject, with 403 ROLE_REQUIRED', () => {
    const error = refusal(() =>
      assertMayAskAbout(
        body({ subject: { id: 'bob@company.com' } }),
        principal(),
        '/evaluations/1/subject/id',
      ),
    );
    expect(error).toBeInstanceOf(ProblemError);
    expect(error).toMatchObject({ status: 403, code: 'ROLE_REQUIRED' });
    expect(error?.extra).toMatchObject({
      requiredRoles: ['pep'],
      errors: [{ pointer: '/evaluations/1/subject/id' }],
    });
  });

  it('does not count an administrator role as pep', () => {
    const admin = principal({ roles: ['policy_admin', 'infra_admin'] });
    expect(
      refusal(() => assertMayAskAbout(body({ subject: { id: 'bob@company.com' } }), admin)),
    ).toMatchObject({
      code: 'ROLE_REQUIRED',
    });
  });

  it('lets a pep caller ask about another subject', () => {
    const pep = principal({ sub: 'gateway', roles: ['pep'] });
    expect(() => assertMayAskAbout(body({ subject: { id: 'bob@company.com' } }), pep)).not.toThrow();
  });
});

describe('withTokenFacts', () => {
  it('takes the subject of a request without one from the token', () => {
    expect(withTokenFacts(body(), principal()).subject).toEqual({
      type: 'user',
      id: 'mallory@company.com',
      roles: ['engineer'],
      groups: ['engineering'],
    });
  });

  it('overrules every authentication fact the context claims for the caller itself', () => {
    for (const claimed of [
      { amr: ['pwd', 'mfa'] },
      { mfa: true },
      { authentication_strength: 'hardware-token' },
      { acr: 'phr' },
    ]) {
      const out = withTokenFacts(body({ context: { ...claimed, country: 'DE' } }), principal());
      expect(out.context).toEqual({ amr: ['pwd'], country: 'DE' });
    }
    const acr = withTokenFacts(body({ context: { acr: 'phr' } }), principal({ acr: 'pwd-only' }));
    expect(acr.context?.acr).toBe('pwd-only');
  });

  it('treats a subject naming the caller as the caller: token memberships, its attributes kept', () => {
    const out = withTokenFacts(
      body({
        subject: {
          type: 'service',
          id: 'mallory@company.com',
          roles: ['infra_admin'],
          attributes: { team: 'x' },
        },
        context: { amr: ['hwk'] },
      }),
      principal(),
    );
    expect(out.subject).toEqual({
      type: 'service',
      id: 'mallory@company.com',
      roles: ['engineer'],
      groups: ['engineering'],
      attributes: { team: 'x' },
    });
    expect(out.context?.amr).toEqual(['pwd']);
  });

  it("keeps what a pep caller asserts about another subject, the subject's session included", () => {
    const asserted = body({
      subject: { id: 'alice@company.com', groups: ['engineering'] },
      context: { amr: ['pwd', 'otp'], device: { id: 'mac-1', posture: 'compliant' } },
    });
    expect(withTokenFacts(asserted, principal({ sub: 'gateway', roles: ['pep'], amr: ['pwd'] }))).toBe(
      asserted,
    );
  });
});

describe('withDirectoryFacts', () => {
  const bob: DirectoryPrincipal = {
    id: 'bob@company.com',
    type: 'user',
    roles: ['engineer'],
    groups: ['payments'],
    attributes: { email: 'bob@company.com' },
  };
  const directory = new Map([[bob.id, bob]]);
  const asking = (subject: DecisionRequest['subject']): DecisionRequest => ({
    subject,
    action: 'edit',
    resource: { id: 'docs.plan' },
  });

  it("keeps the directory's attributes and type over the request's, and adds the ones it lacks", () => {
    const out = withDirectoryFacts(
      asking({ id: bob.id, type: 'service', attributes: { email: 'alice@company.com', team: 'blue' } }),
      directory,
    );
    expect(out.subject.type).toBe('user');
    expect(out.subject.attributes).toEqual({ email: 'bob@company.com', team: 'blue' });
  });

  it("joins the directory's memberships to the request's; a request cannot remove one", () => {
    const out = withDirectoryFacts(asking({ id: bob.id, roles: [], groups: ['oncall'] }), directory);
    expect(out.subject.roles).toEqual(['engineer']);
    expect(out.subject.groups).toEqual(['oncall', 'payments']);
  });

  it('leaves a subject the directory does not know as the request says', () => {
    const unknown = asking({ id: 'carol@company.com', attributes: { email: 'carol@company.com' } });
    expect(withDirectoryFacts(unknown, directory)).toBe(unknown);
  });
});
