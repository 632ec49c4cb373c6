import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportPolicy, parsePolicy, PolicyExportError } from './parse';
import type { Condition, PolicyFormat } from './model';

const cases = (name: string) =>
  (
    JSON.parse(readFileSync(join(__dirname, '..', 'test-cases', name), 'utf8')) as {
      policies: Record<string, unknown>[];
    }
  ).policies;

const EXAMPLES: [PolicyFormat, Record<string, unknown>][] = [
  ...cases('seed-000.json').map((p) => ['zt', p] as [PolicyFormat, Record<string, unknown>]),
  ...cases('seed-001.json').map((p) => ['nist', p] as [PolicyFormat, Record<string, unknown>]),
  ...cases('seed-002.json').map((p) => ['ztna', p] as [PolicyFormat, Record<string, unknown>]),
];

/** Conditions in a fixed order: shapes list them in different orders, which means nothing. */
function sortedByKind(conditions: Condition[]): Condition[] {
  return [...conditions].sort((a, b) => a.kind.localeCompare(b.kind));
}

function pointers(input: unknown): string[] {
  const result = parsePolicy(input);
  if (result.ok) throw new Error('expected the document to be refused');
  return result.errors.map((e) => e.pointer);
}

describe('parsePolicy and exportPolicy', () => {
  it.each(EXAMPLES.map(([f, p]) => [f, String(p.name), p] as const))(
    'round-trips the %s example "%s" unchanged',
    (format, _name, document) => {
      const parsed = parsePolicy(document);
      expect(parsed).toMatchObject({ ok: true, format });
      if (!parsed.ok) return;
      expect(exportPolicy(parsed.policy, format)).toEqual(document);
    },
  );

  it('detects each shape by its members', () => {
    expect(parsePolicy(cases('seed-001.json')[0])).toMatchObject({ ok: true, format: 'nist' });
    expect(parsePolicy(cases('seed-002.json')[0])).toMatchObject({ ok: true, format: 'ztna' });
  });

  it('converts between shapes, keeping effect, subjects and conditions', () => {
    const nist = parsePolicy(cases('seed-001.json')[0]);
    if (!nist.ok) throw new Error('invalid example');
    const viaZt = parsePolicy(exportPolicy(nist.policy, 'zt'));
    expect(viaZt.ok && sortedByKind(viaZt.policy.conditions)).toEqual(sortedByKind(nist.policy.conditions));
    expect(viaZt.ok && viaZt.policy.subjects).toEqual(nist.policy.subjects);
    const ztna = parsePolicy(cases('seed-002.json')[0]);
    if (!ztna.ok) throw new Error('invalid example');
    const viaNist = parsePolicy(exportPolicy({ ...ztna.policy, effect: 'allow' }, 'nist'));
    expect(viaNist.ok && sortedByKind(viaNist.policy.conditions)).toEqual(
      sortedByKind(ztna.policy.conditions),
    );
    const back = parsePolicy(exportPolicy(ztna.policy, 'ztna'));
    expect(back.ok && back.policy).toEqual(ztna.policy);
  });

  it('refuses a ZTNA export of an id that is not a UUID (seed 002 requires one)', () => {
    const parsed = parsePolicy(cases('seed-001.json')[1]);
    if (!parsed.ok) throw new Error('invalid example');
    expect(() => exportPolicy(parsed.policy, 'ztna')).toThrow(/UUID/);
  });

  it('refuses to export what a shape cannot express', () => {
    const parsed = parsePolicy(cases('seed-002.json')[2]); // isolate
    if (!parsed.ok) throw new Error('invalid example');
    expect(() => exportPolicy(parsed.policy, 'nist')).toThrow(PolicyExportError);
    const roles = parsePolicy({
      name: 'r',
      subjects: ['role:x'],
      resources: ['a'],
      actions: ['read'],
      effect: 'allow',
      id: '11111111-2222-4333-8444-555555555555',
    });
    if (!roles.ok) throw new Error('invalid example');
    expect(() => exportPolicy(roles.policy, 'ztna')).toThrow(/actions|subject/);
  });

  it('gives a new seed 000 policy the default id and version', () => {
    const parsed = parsePolicy(cases('seed-000.json')[1], { defaultId: 'pol_new' });
    expect(parsed.ok && parsed.policy.id).toBe('pol_data_science');
    const { id: _id, ...withoutId } = cases('seed-000.json')[1];
    const fresh = parsePolicy(withoutId, { defaultId: 'pol_new', version: 3 });
    expect(fresh.ok && [fresh.policy.id, fresh.policy.version]).toEqual(['pol_new', 3]);
  });
});

describe('validation errors name the JSON pointer of each bad field', () => {
  const base = {
    name: 'x',
    subjects: ['group:a'],
    resources: ['r.*'],
    actions: ['read'],
    effect: 'allow',
    id: 'p1',
  };

  it('for the JSON Schema of the API shape', () => {
    expect(pointers({ ...base, effect: 'maybe', subjects: 'everyone' })).toEqual(
      expect.arrayContaining(['/effect', '/subjects']),
    );
    expect(pointers({ ...base, name: undefined })).toContain('/name');
    expect(pointers({ ...base, colour: 'red' })).toContain('/colour');
    expect(pointers({ ...base, subjects: ['team:a'] })).toContain('/subjects/0');
  });

  it('for CIDR ranges, time windows, countries, locations and expressions', () => {
    expect(
      pointers({
        ...base,
        conditions: {
          ip_ranges: ['10.0.0.0/8', '10.0.0.0/33', 'nonsense'],
          time_window: 'Mon-Fri 25:00-17:00 UTC',
          location: 'MOON_ONLY',
          expression: 'subject.id ==',
        },
      }),
    ).toEqual(
      expect.arrayContaining([
        '/conditions/ip_ranges/1',
        '/conditions/ip_ranges/2',
        '/conditions/time_window',
        '/conditions/location',
        '/conditions/expression',
      ]),
    );
    const nist = {
      policyId: 'n1',
      name: 'n',
      effect: 'allow',
      subjects: [{ type: 'user', id: 'u' }],
      resources: [{ type: 'api', id: 'a' }],
    };
    expect(pointers({ ...nist, conditions: { time: { allowedHours: '09:00-17:00 Mars/Olympus' } } })).toEqual(
      ['/conditions/time/allowedHours'],
    );
    expect(pointers({ ...nist, conditions: { riskScore: { maxScore: 101 } } })).toEqual([
      '/conditions/riskScore/maxScore',
    ]);
    expect(pointers({ ...nist, subjects: [{ type: 'robot', id: 'r' }] })).toEqual(['/subjects/0/type']);
    const ztna = cases('seed-002.json')[0];
    expect(pointers({ ...ztna, id: 'not-a-uuid' })).toEqual(['/id']);
    expect(pointers({ ...ztna, conditions: { geo: ['US', 'XX'] } })).toEqual(['/conditions/geo/1']);
  });

  it('bounds untrusted documents in size and depth', () => {
    expect(pointers({ ...base, actions: Array.from({ length: 101 }, (_, i) => `a${i}`) })).toEqual([
      '/actions',
    ]);
    expect(pointers({ ...base, description: 'x'.repeat(5000) })).toEqual(['/description']);
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 12; i++) deep = deep.a = {} as Record<string, unknown>;
    expect(pointers({ ...base, conditions: root })[0]).toMatch(/^\/conditions(\/a)+$/);
    expect(pointers([base])).toEqual(['']);
  });

  it('holds every shape to one id rule, a name, and at least one subject and resource', () => {
    const nist = cases('seed-001.json')[0];
    expect(pointers({ ...nist, policyId: 'ô/h id' })).toEqual(['/policyId']);
    const ztna = cases('seed-002.json')[0];
    expect(pointers({ ...ztna, name: '', subjects: [], resources: [] })).toEqual([
      '/name',
      '/subjects',
      '/resources',
    ]);
    expect(parsePolicy({ ...nist, policyId: 'ztpol-002' }).ok).toBe(true);
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'refuses the location %s, an Object.prototype member name, with a pointer instead of failing',
    (location) => {
      expect(pointers({ ...base, conditions: { location } })).toEqual(['/conditions/location']);
    },
  );
});
