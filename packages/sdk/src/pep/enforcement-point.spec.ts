import type { Decision, DecisionRequest } from '../api-types.js';
import type { DecideOptions } from '../client.js';
import { ZtProblemError, ZtUnavailableError } from '../errors.js';
import { type AuthorizeRule, type DecisionSource, EnforcementPoint } from './enforcement-point.js';

type Req = { params: { id: string } };

const answer = (decision: Decision['decision'], revision = 1, userReasons: string[] = []): Decision => ({
  decision,
  decision_id: `dec-${decision}-${revision}`,
  revision,
  decidingPolicies: [{ id: 'secret-policy', version: 1 }],
  reasons: ['admin-only explanation'],
  userReasons,
  obligations: [],
});

/** A decision point scripted answer by answer; records what it was asked. */
function scripted(
  ...answers: (Decision | Error)[]
): DecisionSource & { asked: [DecisionRequest, DecideOptions?][] } {
  const asked: [DecisionRequest, DecideOptions?][] = [];
  return {
    asked,
    decide(request, options) {
      asked.push([request, options]);
      const next = answers[Math.min(asked.length - 1, answers.length - 1)];
      return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
    },
  };
}

const RULE: AuthorizeRule<Req> = {
  action: 'delete',
  resource: (req) => ({ type: 'todo', id: req.params.id }),
};
const REQ: Req = { params: { id: 't1' } };
const USER = { authorization: 'Bearer user-token' };

describe('EnforcementPoint', () => {
  it('lets an allowed request through, forwarding the caller token and exposing the decision id', async () => {
    const pdp = scripted(answer('allow'));
    const outcome = await new EnforcementPoint({ client: pdp }).enforce(RULE, REQ, USER);
    expect(outcome).toMatchObject({
      allowed: true,
      zt: { decision: 'allow', decisionId: 'dec-allow-1', isolate: false },
    });
    expect(pdp.asked[0][0]).toEqual({ action: 'delete', resource: { type: 'todo', id: 't1' } });
    expect(pdp.asked[0][1]?.token).toBe('user-token');
  });

  it('refuses a denied request with 403 problem+json carrying the user reasons only', async () => {
    const pdp = scripted(answer('deny', 1, ['Only the owner can delete a todo.']));
    const outcome = await new EnforcementPoint({ client: pdp }).enforce(RULE, REQ, USER);
    expect(outcome.allowed).toBe(false);
    if (outcome.allowed) return;
    expect(outcome.refusal.status).toBe(403);
    expect(outcome.refusal.headers['content-type']).toBe('application/problem+json');
    expect(outcome.refusal.body).toMatchObject({
      code: 'ACCESS_DENIED',
      detail: 'Only the owner can delete a todo.',
      decision_id: 'dec-deny-1',
      user_reasons: ['Only the owner can delete a todo.'],
    });
    const text = JSON.stringify(outcome.refusal.body);
    expect(text).not.toContain('secret-policy');
    expect(text).not.toContain('admin-only');
  });

  it('answers require_mfa with the RFC 9470 step-up challenge', async () => {
    const pdp = scripted(answer('require_mfa', 1, ['Sign in with MFA.']));
    const outcome = await new EnforcementPoint({
      client: pdp,
      stepUp: { acrValues: 'phr', maxAgeSeconds: 300 },
    }).enforce(RULE, REQ, USER);
    if (outcome.allowed) throw new Error('expected a refusal');
    expect(outcome.refusal.status).toBe(401);
    expect(outcome.refusal.headers['www-authenticate']).toBe(
      'Bearer error="insufficient_user_authentication", error_description="Sign in with MFA.", acr_values="phr", max_age=300',
    );
  });

  it('marks an isolated request for the application and lets it through', async () => {
    const outcome = await new EnforcementPoint({ client: scripted(answer('isolate')) }).enforce(
      RULE,
      REQ,
      USER,
    );
    expect(outcome).toMatchObject({
      allowed: true,
      zt: { decision: 'isolate', isolate: true, decisionId: 'dec-isolate-1' },
    });
  });

  it('fails closed (503) when the decision point is unavailable, open only where the route says so', async () => {
    const down = () => scripted(new ZtUnavailableError('down', 'network'));
    const closed = await new EnforcementPoint({ client: down() }).enforce(RULE, REQ, USER);
    expect(closed).toMatchObject({
      allowed: false,
      refusal: { status: 503, body: { code: 'DECISION_UNAVAILABLE' } },
    });
    const open = await new EnforcementPoint({ client: down() }).enforce(
      { ...RULE, failOpen: true },
      REQ,
      USER,
    );
    expect(open).toMatchObject({ allowed: true, zt: { failedOpen: true, decision: null } });
  });

  it('never fails open on a refused question, and answers 401 when the forwarded token is refused', async () => {
    const refused = new ZtProblemError(401, {
      type: 'x',
      title: 'x',
      status: 401,
      detail: 'bad',
      code: 'UNAUTHENTICATED',
    });
    const outcome = await new EnforcementPoint({ client: scripted(refused), failOpen: true }).enforce(
      RULE,
      REQ,
      USER,
    );
    expect(outcome).toMatchObject({ allowed: false, refusal: { status: 401 } });
  });

  it('asks for a bearer token before asking the decision point, when it forwards the caller', async () => {
    const pdp = scripted(answer('allow'));
    const outcome = await new EnforcementPoint({ client: pdp }).enforce(RULE, REQ, {});
    expect(outcome).toMatchObject({ allowed: false, refusal: { status: 401 } });
    expect(pdp.asked).toHaveLength(0);
  });

  it('asks about a named subject with its own token when given a subject function', async () => {
    const pdp = scripted(answer('allow'));
    const pep = new EnforcementPoint<Req>({ client: pdp, subject: () => ({ id: 'alice@company.com' }) });
    await pep.enforce(RULE, REQ, {});
    expect(pdp.asked[0][0].subject).toEqual({ id: 'alice@company.com' });
    expect(pdp.asked[0][1]?.token).toBeUndefined();
  });

  it('reuses a cached decision only while the revision seen is unchanged', async () => {
    const pdp = scripted(answer('allow', 5), answer('deny', 6), answer('deny', 6));
    const pep = new EnforcementPoint({ client: pdp });
    await pep.enforce(RULE, REQ, USER);
    const again = await pep.enforce(RULE, REQ, USER);
    expect(again).toMatchObject({ allowed: true, zt: { cached: true } });
    expect(pdp.asked).toHaveLength(1);
    pep.observeRevision(6);
    const after = await pep.enforce(RULE, REQ, USER);
    expect(after).toMatchObject({ allowed: false, zt: { cached: false, revision: 6 } });
  });

  it('forwards Zt-Min-Revision, bypassing a cached answer older than it', async () => {
    const pdp = scripted(answer('allow', 5), answer('deny', 7));
    const pep = new EnforcementPoint({ client: pdp });
    await pep.enforce(RULE, REQ, USER);
    const fresh = await pep.enforce(RULE, REQ, { ...USER, 'zt-min-revision': '7' });
    expect(fresh).toMatchObject({
      allowed: false,
      zt: { revision: 7, onwardHeaders: { 'zt-min-revision': '7' } },
    });
    expect(pdp.asked[1][1]?.minRevision).toBe(7);
  });

  it('keeps the caller traceparent for the application and sends a child span to the decision point', async () => {
    const pdp = scripted(answer('allow'));
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const outcome = await new EnforcementPoint({ client: pdp }).enforce(RULE, REQ, { ...USER, traceparent });
    expect(outcome.zt.traceparent).toBe(traceparent);
    expect(outcome.zt.onwardHeaders).toMatchObject({ traceparent, 'zt-decision-id': 'dec-allow-1' });
    const sent = pdp.asked[0][1]?.headers?.traceparent ?? '';
    expect(sent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    expect(sent).not.toBe(traceparent);
  });

  it('starts a trace when the request brings none (or an invalid one)', async () => {
    const outcome = await new EnforcementPoint({ client: scripted(answer('allow')) }).enforce(RULE, REQ, {
      ...USER,
      traceparent: 'garbage',
    });
    expect(outcome.zt.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});
