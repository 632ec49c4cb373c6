import type { Principal } from '@zt/auth';
import { ProblemError } from '@zt/http';
import type { DecisionBody, DecisionResponse, DecisionsService } from '../decisions/decisions.service';
import type { RateLimiter } from '../decisions/rate-limiter';
import { AuthzenService } from './authzen.service';

/** A decision point that allows reading `doc-*` and denies everything else. */
function fakeDecisions(asked: DecisionBody[]): DecisionsService {
  return {
    decideRequest: (body: DecisionBody) => {
      asked.push(body);
      const allow = body.action === 'read' && body.resource.id.startsWith('doc-');
      return Promise.resolve({
        decision: allow ? 'allow' : 'deny',
        decision_id: `d${asked.length}`,
        revision: 3,
        reasons: [allow ? 'policy p allows' : 'no policy applies'],
        userReasons: [],
        obligations: [],
      } as unknown as DecisionResponse);
    },
  } as unknown as DecisionsService;
}

describe('AuthzenService', () => {
  const pep = { sub: 'gateway', roles: ['pep'] } as unknown as Principal;
  const subject = { type: 'user', id: 'alice' };
  const read = { name: 'read' };
  let asked: DecisionBody[];
  let charged: number[];
  let service: AuthzenService;

  beforeEach(() => {
    asked = [];
    charged = [];
    const limiter = {
      chargeBatch: <T>(_caller: string, cost: number, _pointer: string, work: () => Promise<T>) => {
        charged.push(cost);
        return work();
      },
    } as unknown as RateLimiter;
    service = new AuthzenService(fakeDecisions(asked), limiter);
  });

  it('answers a request without entries, or with none, as the single evaluation', async () => {
    const single = { subject, action: read, resource: { type: 'doc', id: 'doc-1' } };
    for (const body of [
      single,
      { ...single, evaluations: [] },
      { ...single, evaluations: [], options: {} },
    ]) {
      await expect(service.evaluateAll(body, pep)).resolves.toMatchObject({
        decision: true,
        context: { decision: 'allow' },
      });
    }
    expect(charged).toEqual([]);
    await expect(service.evaluateAll({ subject, action: read, evaluations: [] }, pep)).rejects.toMatchObject({
      status: 400,
      extra: { errors: [{ pointer: '/resource' }] },
    });
  });

  it('fails a malformed or incomplete entry alone, charging the whole batch', async () => {
    const answer = await service.evaluateAll(
      {
        subject,
        action: read,
        evaluations: [
          { resource: { type: 'doc', id: 'doc-1' } },
          {},
          { resource: { type: 'doc' } },
          null,
          { resource: { type: 'doc', id: 'other' } },
        ],
      },
      pep,
    );
    expect(answer).toEqual({
      evaluations: [
        expect.objectContaining({ decision: true }),
        {
          decision: false,
          context: {
            error: {
              status: 400,
              message: expect.any(String),
              errors: [
                { pointer: '/evaluations/1/resource', detail: 'is required here or at the top level' },
              ],
            },
          },
        },
        {
          decision: false,
          context: {
            error: expect.objectContaining({
              errors: [expect.objectContaining({ pointer: '/evaluations/2/resource/id' })],
            }),
          },
        },
        {
          decision: false,
          context: {
            error: expect.objectContaining({
              errors: [expect.objectContaining({ pointer: '/evaluations/3' })],
            }),
          },
        },
        expect.objectContaining({ decision: false, context: expect.objectContaining({ decision: 'deny' }) }),
      ],
    });
    expect(asked.map((a) => a.resource.id)).toEqual(['doc-1', 'other']);
    expect(charged).toEqual([5]);
  });

  it('replaces a default entity whole and merges contexts', async () => {
    await service.evaluateAll(
      {
        subject,
        action: read,
        resource: { type: 'doc', id: 'doc-1', properties: { status: 'active' } },
        context: { a: 1, b: 1 },
        evaluations: [{}, { resource: { type: 'doc', id: 'doc-2' }, context: { b: 2 } }],
      },
      pep,
    );
    expect(asked.map((a) => [a.resource, a.context])).toEqual([
      [
        { type: 'doc', id: 'doc-1', attributes: { status: 'active' } },
        { a: 1, b: 1 },
      ],
      [
        { type: 'doc', id: 'doc-2', attributes: {} },
        { a: 1, b: 2 },
      ],
    ]);
  });

  it('counts a failed entry as a denial for deny_on_first_deny', async () => {
    const answer = (await service.evaluateAll(
      {
        subject,
        action: read,
        options: { evaluations_semantic: 'deny_on_first_deny' },
        evaluations: [
          { resource: { type: 'doc', id: 'doc-1' } },
          { resource: 'doc-2' },
          { resource: { type: 'doc', id: 'doc-3' } },
        ],
      },
      pep,
    )) as { evaluations: { decision: boolean }[] };
    expect(answer.evaluations.map((e) => e.decision)).toEqual([true, false]);
  });

  it('refuses the whole batch for what is wrong with the request itself', async () => {
    for (const body of [
      { subject: 'alice', evaluations: [{ action: read, resource: { type: 'doc', id: 'doc-1' } }] },
      { options: { evaluations_semantic: 'most' }, evaluations: [{}] },
      { evaluations: 'all' },
      { subject, action: read, evaluations: Array.from({ length: 101 }, () => ({})) },
      [],
    ]) {
      await expect(service.evaluateAll(body, pep)).rejects.toBeInstanceOf(ProblemError);
    }
    expect(asked).toEqual([]);
  });

  it('refuses whole, before anything is decided, a caller without pep asking about someone else', async () => {
    const alice = { sub: 'alice', roles: [] } as unknown as Principal;
    await expect(
      service.evaluateAll(
        {
          action: read,
          resource: { type: 'doc', id: 'doc-1' },
          evaluations: [{ subject }, { subject: { type: 'user', id: 'bob' } }, { subject: 7 }],
        },
        alice,
      ),
    ).rejects.toMatchObject({ status: 403, extra: { errors: [{ pointer: '/evaluations/1/subject/id' }] } });
    expect(asked).toEqual([]);
  });

  it('answers bare decisions when asked, keeping the error of a failed entry', async () => {
    const bare = { bare: true };
    await expect(
      service.evaluate({ subject, action: read, resource: { type: 'doc', id: 'doc-1' } }, pep, {}, bare),
    ).resolves.toEqual({ decision: true });
    const answer = (await service.evaluateAll(
      { subject, action: read, evaluations: [{ resource: { type: 'doc', id: 'doc-1' } }, {}] },
      pep,
      {},
      bare,
    )) as { evaluations: unknown[] };
    expect(answer.evaluations).toEqual([
      { decision: true },
      { decision: false, context: { error: expect.objectContaining({ status: 400 }) } },
    ]);
  });
});
