import fc from 'fast-check';
import { commonConditionsHold, commonConditionsOf } from './common-conditions';
import { compileCondition } from './conditions';
import type { Condition, DecisionRequest } from './model';
import { Vocabulary } from './vocabulary';

const condition: fc.Arbitrary<Condition> = fc.oneof(
  fc
    .subarray(['compliant', 'managed', 'encrypted'], { minLength: 1 })
    .map((postures): Condition => ({ kind: 'device_posture', postures })),
  fc
    .subarray(['US', 'DE', 'FR'], { minLength: 1 })
    .map((countries): Condition => ({ kind: 'location', countries })),
  fc.integer({ min: 0, max: 100 }).map((max): Condition => ({ kind: 'risk_max', max })),
  fc.boolean().map((required): Condition => ({ kind: 'mfa', required })),
  fc.constant<Condition>({ kind: 'time_window', window: 'weekdays 09:00-17:00 UTC' }),
);

const request: fc.Arbitrary<DecisionRequest> = fc.record({
  subject: fc.constant({ id: 'alice' }),
  action: fc.constant('read'),
  resource: fc.constant({ id: 'r' }),
  context: fc.record(
    {
      device: fc.record({
        posture: fc.oneof(
          fc.constantFrom('compliant', 'managed'),
          fc.record({ managed: fc.boolean(), encryptionEnabled: fc.boolean() }),
        ),
      }),
      country: fc.constantFrom('US', 'de', 'FR', 'GB', 7),
      risk_score: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constant('high')),
      mfa: fc.boolean(),
    },
    { requiredKeys: [] },
  ),
});

describe('common conditions', () => {
  it('hold exactly when every general check of the same conditions passes', () => {
    fc.assert(
      fc.property(fc.array(condition, { maxLength: 4 }), request, (conditions, req) => {
        const common = commonConditionsOf(conditions, new Vocabulary());
        const kinds = conditions.map((c) => c.kind);
        const expectedCommon = !kinds.includes('time_window') && new Set(kinds).size === kinds.length;
        expect(common !== undefined).toBe(expectedCommon);
        if (!common) return;
        const checks = conditions.map(compileCondition);
        const allPass = checks.every((check) => check(req, () => new Date(0)) === undefined);
        expect(commonConditionsHold(common, req)).toBe(allPass);
      }),
      { numRuns: 1000 },
    );
  });

  it('are shared by the policies of a set that carry the same ones', () => {
    const vocabulary = new Vocabulary();
    const make = (): Condition[] => [
      { kind: 'device_posture', postures: ['compliant'] },
      { kind: 'location', countries: ['US'] },
    ];
    expect(commonConditionsOf(make(), vocabulary)).toBe(commonConditionsOf(make(), vocabulary));
  });
});
