import type { PolicySnapshot, RecordedDecisionInput } from '@zt/contracts';
import { parsePolicy } from '@zt/policy-engine';
import { EXAMPLES_PER_FLIP, ReplayAccumulator } from './replay-impact';
import { rejoined, replaySides, StateEdit } from './replay-state';

const doc = (id: string, effect: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: id,
  subjects: ['*'],
  resources: ['doc.*'],
  actions: ['read'],
  effect,
  ...extra,
});

const snapshot: PolicySnapshot = {
  revision: 7,
  policies: [
    { policyId: 'docs', version: 1, revision: 1, format: 'zt', document: doc('docs', 'allow') },
    {
      policyId: 'office-hours',
      version: 1,
      revision: 2,
      format: 'zt',
      document: doc('office-hours', 'deny', {
        resources: ['doc.secret'],
        conditions: { time_window: 'Sat-Sun 00:00-23:59 UTC' },
      }),
    },
  ],
  principals: [
    {
      principalId: 'ann',
      revision: 3,
      principal: {
        id: 'ann',
        type: 'user',
        roles: ['editor'],
        groups: ['finance'],
        attributes: { level: 3 },
      },
    },
  ],
  resources: [
    {
      resourceType: 'doc',
      resourceId: 'doc.a',
      revision: 4,
      resource: { type: 'doc', id: 'doc.a', properties: { owner: 'ann' } },
    },
  ],
};

const policyEdit = (id: string, effect: string, extra: Record<string, unknown> = {}): StateEdit => {
  const parsed = parsePolicy(doc(id, effect, extra), { defaultId: id });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return { kind: 'policy', id, policy: parsed.policy };
};

const input = (
  subject: string,
  resource: string,
  extra: Partial<RecordedDecisionInput['subject']> = {},
): RecordedDecisionInput => ({
  subject: { type: 'user', id: subject, roles: [], groups: [], ...extra },
  action: 'read',
  resource: { type: 'doc', id: resource },
});

// A Saturday and a Monday (UTC).
const SATURDAY = '2026-11-28T12:00:00.000Z';
const MONDAY = '2026-11-30T12:00:00.000Z';

describe('replay', () => {
  it('counts flips by effect, names the policies responsible and ranks subjects and resources', () => {
    const { before, after } = replaySides(snapshot, [policyEdit('docs', 'deny')]);
    const replay = new ReplayAccumulator(before, after, new Set(['docs']));
    for (let i = 0; i < 8; i += 1)
      replay.add({ decisionId: `d${i}`, at: MONDAY, input: input(i < 5 ? 'ann' : 'ben', `doc.${i % 2}`) });
    const result = replay.result();
    expect(result).toMatchObject({ replayed: 8, invalid: 0, changed: 8 });
    expect(result.flips).toHaveLength(1);
    expect(result.flips[0]).toMatchObject({
      from: 'allow',
      to: 'deny',
      count: 8,
      policies: [{ id: 'docs', count: 8 }],
    });
    expect(result.flips[0].examples).toHaveLength(EXAMPLES_PER_FLIP);
    expect(result.flips[0].examples[0]).toEqual({
      decision_id: 'd0',
      at: MONDAY,
      subject: 'ann',
      action: 'read',
      resource: 'doc/doc.0',
      before: { decision: 'allow', policies: ['docs'] },
      after: { decision: 'deny', policies: ['docs'] },
    });
    expect(result.top_subjects).toEqual([
      { id: 'ann', count: 5 },
      { id: 'ben', count: 3 },
    ]);
    expect(result.top_resources).toEqual([
      { id: 'doc/doc.0', count: 4 },
      { id: 'doc/doc.1', count: 4 },
    ]);
  });

  it('decides each record at its own time: a time window decides as it did then', () => {
    const { before, after } = replaySides(snapshot, [{ kind: 'policy', id: 'office-hours', policy: null }]);
    const replay = new ReplayAccumulator(before, after, new Set(['office-hours']));
    replay.add({ decisionId: 'weekend', at: SATURDAY, input: input('ann', 'doc.secret') });
    replay.add({ decisionId: 'weekday', at: MONDAY, input: input('ann', 'doc.secret') });
    const result = replay.result();
    expect(result.changed).toBe(1);
    expect(result.flips[0]).toMatchObject({
      from: 'deny',
      to: 'allow',
      policies: [
        { id: 'docs', count: 1 },
        { id: 'office-hours', count: 1 },
      ],
      examples: [{ decision_id: 'weekend' }],
    });
  });

  it('reports no flip for a change that turns nothing, and counts inputs the engine cannot take', () => {
    const { before, after } = replaySides(snapshot, [
      policyEdit('other', 'deny', { resources: ['elsewhere'] }),
    ]);
    const replay = new ReplayAccumulator(before, after, new Set(['other']));
    replay.add({ decisionId: 'd', at: MONDAY, input: input('ann', 'doc.a') });
    replay.add({ decisionId: 'bad-time', at: 'yesterday', input: input('ann', 'doc.a') });
    const broken = {
      ...input('ann', 'doc.a'),
      subject: { id: 'zed', roles: 'admin' },
    } as unknown as RecordedDecisionInput;
    replay.add({ decisionId: 'bad-roles', at: MONDAY, input: broken });
    expect(replay.result()).toMatchObject({ replayed: 2, invalid: 1, changed: 0, flips: [] });
  });
});

describe('rejoined', () => {
  it('leaves a request alone where the change touches neither its subject nor its resource', () => {
    const { before, after } = replaySides(snapshot, [policyEdit('docs', 'deny')]);
    const recorded = input('ann', 'doc.a', { roles: ['editor', 'token-role'] });
    expect(rejoined(recorded, before, after)).toBe(recorded);
  });

  it('takes out what the stored directory gave and joins what the changed one gives', () => {
    const { before, after } = replaySides(snapshot, [
      {
        kind: 'principal',
        id: 'ann',
        principal: { id: 'ann', type: 'service', roles: ['viewer'], groups: [], attributes: { tier: 1 } },
      },
      {
        kind: 'resource',
        type: 'doc',
        id: 'doc.a',
        resource: { type: 'doc', id: 'doc.a', properties: { owner: 'ben' } },
      },
    ]);
    // As recorded: the token's role and attribute, joined with the directory's facts of then.
    const recorded: RecordedDecisionInput = {
      subject: {
        type: 'user',
        id: 'ann',
        roles: ['token-role', 'editor'],
        groups: ['finance'],
        attributes: { level: 3, mail: 'a@x' },
      },
      action: 'read',
      resource: { type: 'doc', id: 'doc.a', attributes: { owner: 'ann', size: 2 } },
    };
    expect(rejoined(recorded, before, after)).toEqual({
      subject: {
        type: 'service',
        id: 'ann',
        roles: ['token-role', 'viewer'],
        groups: [],
        attributes: { mail: 'a@x', tier: 1 },
      },
      action: 'read',
      resource: { type: 'doc', id: 'doc.a', attributes: { size: 2, owner: 'ben' } },
    });
  });

  it('drops a deleted principal’s directory facts and keeps the token’s', () => {
    const { before, after } = replaySides(snapshot, [{ kind: 'principal', id: 'ann', principal: null }]);
    const recorded = input('ann', 'doc.b', {
      roles: ['token-role', 'editor'],
      groups: ['finance'],
      attributes: { level: 3 },
    });
    expect(rejoined(recorded, before, after).subject).toEqual({
      type: 'user',
      id: 'ann',
      roles: ['token-role'],
      groups: [],
      attributes: {},
    });
  });
});
