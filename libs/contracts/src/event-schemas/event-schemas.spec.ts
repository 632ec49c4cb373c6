import { createCloudEvent } from '../cloud-event';
import { EventTypes } from '../event-types';
import { BUS_DEAD_LETTER_TYPE, EVENT_CONTRACTS } from './catalogue';
import { EVENT_DATA_EXAMPLES } from './examples';
import { eventValidator, eventValidators } from './validators';

const NOW = Date.parse('2026-12-01T10:02:00.000Z');

function problemsOf(type: string, data: unknown, envelope: Record<string, unknown> = {}) {
  const event = { ...createCloudEvent({ source: '/zt/test', type, data }), ...envelope };
  return eventValidator(type)!(event, NOW);
}

function example(type: string): Record<string, unknown> {
  return structuredClone(EVENT_DATA_EXAMPLES[type]) as Record<string, unknown>;
}

/** For each type: a broken copy of its example and the pointer the validator must name. */
const INVALID: [string, string, (d: Record<string, unknown>) => unknown, string][] = [
  [EventTypes.policyCreated, 'an unknown format', (d) => ({ ...d, format: 'xacml' }), '/data/format'],
  [EventTypes.policyUpdated, 'a fractional revision', (d) => ({ ...d, revision: 1.5 }), '/data/revision'],
  [EventTypes.policyDeleted, 'an array for a document', (d) => ({ ...d, document: [] }), '/data/document'],
  [
    EventTypes.principalUpserted,
    'an unknown principal type',
    (d) => ({ ...d, principal: { ...(d.principal as object), type: 'robot' } }),
    '/data/principal',
  ],
  [EventTypes.principalDeleted, 'no actor', ({ actor: _a, ...d }) => d, '/data/actor'],
  [
    EventTypes.resourceUpserted,
    'a slash in the resource id',
    (d) => ({ ...d, resourceId: 'a/b' }),
    '/data/resourceId',
  ],
  [EventTypes.resourceDeleted, 'a negative revision', (d) => ({ ...d, revision: -1 }), '/data/revision'],
  [
    EventTypes.devicePosture,
    'a device id with a space',
    (d) => ({ ...d, device_id: 'laptop 7' }),
    '/data/device_id',
  ],
  [
    EventTypes.devicePosture,
    'a non-scalar vendor signal',
    (d) => ({ ...d, signals: { vendor: { deep: 1 } } }),
    '/data/signals/vendor',
  ],
  [
    EventTypes.devicePosture,
    'a lower-case country',
    (d) => ({ ...d, signals: { country: 'fr' } }),
    '/data/signals/country',
  ],
  [
    EventTypes.devicePosture,
    'an observation 10 minutes ahead',
    (d) => ({ ...d, observed_at: '2026-12-01T10:12:00.000Z' }),
    '/data/observed_at',
  ],
  [EventTypes.devicePosture, 'no observation time', ({ observed_at: _o, ...d }) => d, '/data/observed_at'],
  [EventTypes.deviceRisk, 'a score above 1', (d) => ({ ...d, score: 1.5 }), '/data/score'],
  [
    EventTypes.deviceRisk,
    'an observation 10 minutes ahead',
    (d) => ({ ...d, observedAt: '2026-12-01T10:12:00.000Z' }),
    '/data/observedAt',
  ],
  [
    EventTypes.decisionBatch,
    'an unknown effect',
    (d) => ({ decisions: [{ ...(d.decisions as object[])[0], decision: 'maybe' }] }),
    '/data/decisions/0/decision',
  ],
  [EventTypes.decisionBatch, 'no decisions', () => ({ decisions: [] }), '/data/decisions'],
  [EventTypes.decisionHeartbeat, 'a text revision', (d) => ({ ...d, revision: '49' }), '/data/revision'],
  [EventTypes.auditRecord, 'a short hash', (d) => ({ ...d, hash: 'abc' }), '/data/hash'],
  [EventTypes.auditCheckpoint, 'no signature', ({ jws: _j, ...d }) => d, '/data/jws'],
  [
    EventTypes.modelIntegrationSet,
    'a timeout under 50 ms',
    (d) => ({ ...d, integration: { ...(d.integration as object), timeoutMs: 1 } }),
    '/data/integration',
  ],
  [EventTypes.modelIntegrationRemoved, 'an unexpected member', (d) => ({ ...d, extra: true }), '/data/extra'],
  [BUS_DEAD_LETTER_TYPE, 'an unknown reason', (d) => ({ ...d, reason: 'bored' }), '/data/reason'],
];

describe('event schemas', () => {
  it.each(EVENT_CONTRACTS.map((c) => [c.type]))('accept the example of %s', (type) => {
    expect(problemsOf(type, EVENT_DATA_EXAMPLES[type])).toEqual([]);
  });

  it.each(INVALID)('refuse %s with %s', (type, _what, mutate, pointer) => {
    const problems = problemsOf(type, mutate(example(type)));
    expect(problems.map((p) => p.pointer)).toContain(pointer);
  });

  it('cover every event type of every contract with a broken example', () => {
    expect(new Set(INVALID.map(([type]) => type))).toEqual(new Set(EVENT_CONTRACTS.map((c) => c.type)));
  });

  it('hold the envelope to CloudEvents: version, type, time and extension names', () => {
    const type = EventTypes.deviceRisk;
    const data = EVENT_DATA_EXAMPLES[type];
    expect(problemsOf(type, data, { specversion: '0.3' }).map((p) => p.pointer)).toEqual(['/specversion']);
    expect(problemsOf(type, data, { time: 'yesterday' }).map((p) => p.pointer)).toEqual(['/time']);
    expect(problemsOf(type, data, { traceparent: '00-abc-01' })).toEqual([]);
    expect(problemsOf(type, data, { 'Bad-Name': 'x' }).map((p) => p.pointer)).toContain('');
  });

  it('accept the camelCase posture of the previous release, under the same bounds and rules', () => {
    const legacy = {
      deviceId: 'laptop-7',
      signals: { managed: true },
      observedAt: '2026-12-01T10:00:00.000Z',
    };
    expect(problemsOf(EventTypes.devicePosture, legacy)).toEqual([]);
    expect(
      problemsOf(EventTypes.devicePosture, { ...legacy, observedAt: '2026-12-01T11:00:00.000Z' }),
    ).toEqual([{ pointer: '/data/observedAt', detail: 'is in the future' }]);
    expect(problemsOf(EventTypes.devicePosture, { ...legacy, deviceId: '' }).map((p) => p.pointer)).toEqual([
      '/data/deviceId',
    ]);
  });

  it('never refuse a restricting risk verdict for its time: a reader whose clock is behind must not miss a restriction', () => {
    const ahead = { ...example(EventTypes.deviceRisk), observedAt: '2026-12-01T10:12:00.000Z' };
    expect(problemsOf(EventTypes.deviceRisk, { ...ahead, restricted: true })).toEqual([]);
    expect(problemsOf(EventTypes.deviceRisk, { ...ahead, restricted: false })).toEqual([
      { pointer: '/data/observedAt', detail: 'is in the future' },
    ]);
  });

  it('refuse to declare a type no contract describes', () => {
    expect(() => eventValidators('com.zt.unknown')).toThrow('no schema for event type com.zt.unknown');
  });
});
