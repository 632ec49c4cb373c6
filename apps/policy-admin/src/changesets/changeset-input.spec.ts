import Ajv from 'ajv';
import { ProblemError, validationProblem } from '@zt/http';
import { parsePolicy } from '@zt/policy-engine';
import { parseChangeSet, PolicyCheck } from './changeset-input';
import { CHANGESET_SCHEMA } from './changeset.schema';

// The policies service's check without its database: the engine's parse, 400 on a problem.
const check: PolicyCheck = (document, id) => {
  const parsed = parsePolicy(document, { defaultId: id });
  if (!parsed.ok) {
    return Promise.reject(
      validationProblem(parsed.errors.map((e) => ({ pointer: e.pointer, detail: e.message }))),
    );
  }
  return Promise.resolve(parsed);
};

const doc = { name: 'n', subjects: ['*'], resources: ['a.*'], actions: ['read'], effect: 'allow' };

async function pointersOf(body: unknown): Promise<string[]> {
  try {
    await parseChangeSet(body, check);
  } catch (error) {
    if (error instanceof ProblemError) return (error.extra.errors ?? []).map((e) => e.pointer);
    throw error;
  }
  throw new Error('accepted');
}

describe('parseChangeSet', () => {
  it('accepts a mix of kinds and takes the policy id from the change', async () => {
    const input = await parseChangeSet(
      {
        expected_revision: 3,
        reason: 'PR #1',
        changes: [
          { op: 'put', kind: 'policy', id: 'p1', document: doc },
          { op: 'delete', kind: 'principal', id: 'bob' },
          { op: 'put', kind: 'resource', type: 'todo', id: '1' },
        ],
      },
      check,
    );
    expect(input.expectedRevision).toBe(3);
    expect(input.reason).toBe('PR #1');
    expect(input.changes.map((c) => [c.op, c.kind, c.id])).toEqual([
      ['put', 'policy', 'p1'],
      ['delete', 'principal', 'bob'],
      ['put', 'resource', '1'],
    ]);
    const first = input.changes[0];
    expect(first.kind === 'policy' && first.op === 'put' && first.parsed.policy.id).toBe('p1');
  });

  it('points into the set at every problem of every change', async () => {
    expect(
      await pointersOf({
        changes: [
          { op: 'put', kind: 'policy', id: 'p1', document: { ...doc, effect: 'maybe' } },
          { op: 'put', kind: 'policy', id: 'p2', format: 'nist', document: doc },
          { op: 'put', kind: 'principal', id: 'a', principal: { roles: 'admin' } },
          { op: 'delete', kind: 'resource', type: 'to do', id: '1' },
          { op: 'delete', kind: 'device', id: 'x' },
        ],
      }),
    ).toEqual([
      expect.stringMatching(/^\/changes\/0\/document\/effect/),
      '/changes/1/format',
      '/changes/2/principal/roles',
      '/changes/3/type',
      '/changes/4/kind',
    ]);
  });

  it('refuses two changes of one target, and empty sets and unknown members', async () => {
    expect(
      await pointersOf({
        changes: [
          { op: 'put', kind: 'principal', id: 'a', principal: {} },
          { op: 'put', kind: 'policy', id: 'a', document: doc },
          { op: 'delete', kind: 'principal', id: 'a' },
        ],
      }),
    ).toEqual(['/changes/2']);
    expect(await pointersOf({ changes: [] })).toEqual(['/changes']);
    expect(await pointersOf({ changes: [], extra: 1 })).toEqual(['/extra', '/changes']);
  });
});

describe('CHANGESET_SCHEMA', () => {
  it('compiles under strict Ajv and takes each kind of change, as ztctl uses it', () => {
    const validate = new Ajv({ strict: true }).compile(CHANGESET_SCHEMA);
    const body = {
      expected_revision: 0,
      changes: [
        { op: 'put', kind: 'policy', id: 'p1', format: 'zt', document: doc },
        { op: 'delete', kind: 'policy', id: 'p2' },
        { op: 'put', kind: 'principal', id: 'alice', principal: { roles: ['a'] } },
        { op: 'delete', kind: 'principal', id: 'bob' },
        { op: 'put', kind: 'resource', type: 'todo', id: '1', properties: { owner: 'alice' } },
        { op: 'delete', kind: 'resource', type: 'todo', id: '2' },
      ],
    };
    expect(validate(body)).toBe(true);
    expect(validate({ changes: [{ op: 'put', kind: 'resource', id: '1' }] })).toBe(false);
  });
});
