import { Logger } from '@nestjs/common';
import {
  BUS_DEAD_LETTER_SCHEMA,
  CloudEvent,
  cloudEventSchema,
  createCloudEvent,
  EventTypes,
  eventValidators,
  Topics,
} from '@zt/contracts';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { BusDeadLetterData } from './bus-dead-letter';
import { Registry } from 'prom-client';
import { EventIntake, eventProblems } from './event-intake';
import { InProcessBus } from './in-process-bus';

function event(data: unknown, id?: string): CloudEvent {
  return createCloudEvent({ source: '/test', type: 'com.zt.device.posture', data, id });
}

/** JSON nested `levels` deep, built without recursion. */
function nested(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = { d: value };
  return value;
}

async function refusedCount(metrics: Registry, labels: Record<string, string>): Promise<number> {
  const metric = await metrics.getSingleMetric('zt_bus_events_refused_total')!.get();
  const match = metric.values.find((v) =>
    Object.entries(labels).every(([name, value]) => v.labels[name] === value),
  );
  return match?.value ?? 0;
}

describe('eventProblems', () => {
  it('judges the envelope and the data, pointers into the event', () => {
    expect(eventProblems(event({ deviceId: 'd\u0000' }, 'id\uDC00'))).toEqual([
      { pointer: '/id', detail: 'contains a lone surrogate U+DC00 at offset 2' },
      { pointer: '/data/deviceId', detail: 'contains the control character U+0000 at offset 1' },
    ]);
  });

  it('counts depth from the data, as the HTTP body it came from was counted', () => {
    expect(eventProblems(event(nested(32)))).toEqual([]);
    expect(eventProblems(event(nested(33)))).toEqual([
      { pointer: `/data${'/d'.repeat(32)}`, detail: 'is nested deeper than 32 levels' },
    ]);
  });

  it('refuses non-finite numbers, which a Kafka producer of our own could still put in an object', () => {
    expect(eventProblems(event({ score: Number.NaN }))).toEqual([
      { pointer: '/data/score', detail: 'is not a finite number' },
    ]);
  });
});

describe('EventIntake', () => {
  let warn: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => warn.mockRestore());

  it('refuses a poisoned event on the in-process bus, counts and logs it once, and applies the next one', async () => {
    const metrics = new Registry();
    const intake = new EventIntake(metrics);
    const bus = new InProcessBus();
    const applied: unknown[] = [];
    const skipped: string[] = [];
    await bus.subscribe(
      intake.screened({
        topics: [Topics.devicePosture],
        groupId: 'g',
        fromBeginning: false,
        handler: (e) => {
          applied.push(e.data);
          return Promise.resolve();
        },
        onSkipped: (info) => skipped.push(info.topic),
      }),
    );
    await bus.publish(Topics.devicePosture, [
      { key: 'k', event: event({ deviceId: 'evil\u0000\u001B[2J', signals: nested(40) }, 'poisoned-1') },
      { key: 'k', event: event({ deviceId: 'laptop-7', signals: {} }, 'good-2') },
    ]);
    await bus.idle();
    expect(applied).toEqual([{ deviceId: 'laptop-7', signals: {} }]);
    expect(skipped).toEqual([Topics.devicePosture]);
    expect(await refusedCount(metrics, { topic: Topics.devicePosture, reason: 'unsafe_input' })).toBe(1);
    expect(warn).toHaveBeenCalledTimes(1);
    const line = String(warn.mock.calls[0][0]);
    expect(line).toContain('"poisoned-1"');
    expect(line).toContain(Topics.devicePosture);
    expect(line).toContain('"/data/deviceId" contains the control character U+0000 at offset 4');
    expect(line).toContain('is nested deeper than 32 levels');
    // eslint-disable-next-line no-control-regex -- the poison must not reach the log
    expect(line).not.toMatch(/[\u0000-\u001F]/);
  });

  it('logs where a Kafka message came from, and escapes a poisoned event id and member name', async () => {
    const intake = new EventIntake(new Registry());
    const handler = jest.fn(() => Promise.resolve());
    const screened = intake.screened({
      topics: [Topics.deviceRisk],
      groupId: 'g',
      fromBeginning: true,
      handler,
    });
    await screened.handler(event({ ['a\uD800']: 1 }, 'id\u0000'), {
      topic: Topics.deviceRisk,
      key: 'k',
      partition: 2,
      offset: '41',
    });
    expect(handler).not.toHaveBeenCalled();
    const line = String(warn.mock.calls[0][0]);
    expect(line).toContain(`on ${Topics.deviceRisk}[2]@41`);
    expect(line).toContain('"id\\u0000"');
    expect(line).toContain('"/data/a\\ud800" member name contains a lone surrogate');
    expect(line).not.toMatch(/[\uD800-\uDFFF]/);
  });

  it('counts a message the bus skipped as not a CloudEvent, and still reports it to the consumer', async () => {
    const metrics = new Registry();
    const intake = new EventIntake(metrics);
    const skipped: string[] = [];
    const screened = intake.screened({
      topics: [Topics.policyChanges],
      groupId: 'g',
      fromBeginning: true,
      handler: () => Promise.resolve(),
      onSkipped: (info) => skipped.push(`${info.partition}@${info.offset}`),
    });
    screened.onSkipped!({ topic: Topics.policyChanges, key: null, partition: 0, offset: '7' });
    expect(skipped).toEqual(['0@7']);
    expect(await refusedCount(metrics, { topic: Topics.policyChanges, reason: 'not_cloudevent' })).toBe(1);
    expect(await refusedCount(metrics, { topic: Topics.policyChanges, reason: 'unsafe_input' })).toBe(0);
  });

  it('starts every series of a subscribed topic at 0, so increase() sees the first refusal', async () => {
    const metrics = new Registry();
    new EventIntake(metrics).screened({
      topics: [Topics.devicePosture, Topics.deviceRisk],
      groupId: 'g',
      fromBeginning: true,
      handler: () => Promise.resolve(),
    });
    const series = (await metrics.getSingleMetric('zt_bus_events_refused_total')!.get()).values;
    expect(series.map((v) => `${v.labels.topic} ${v.labels.reason} ${v.value}`).sort()).toEqual([
      `${Topics.devicePosture} invalid 0`,
      `${Topics.devicePosture} not_cloudevent 0`,
      `${Topics.devicePosture} unsafe_input 0`,
      `${Topics.deviceRisk} invalid 0`,
      `${Topics.deviceRisk} not_cloudevent 0`,
      `${Topics.deviceRisk} unsafe_input 0`,
    ]);
  });
});

describe('EventIntake with declared event types', () => {
  let warn: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(() => warn.mockRestore());

  const posture = (data: unknown, id: string): CloudEvent =>
    createCloudEvent({ source: '/agent-gateway', type: EventTypes.devicePosture, data, id });
  const observed = new Date().toISOString();
  const acceptance = {
    consumer: 'device-intelligence',
    validators: eventValidators(EventTypes.devicePosture),
  };

  async function run(events: CloudEvent[]) {
    const metrics = new Registry();
    const bus = new InProcessBus();
    const intake = new EventIntake(metrics, bus);
    const applied: string[] = [];
    const skipped: string[] = [];
    const letters: CloudEvent[] = [];
    await bus.subscribe({
      topics: [Topics.deadLetters],
      groupId: 'audit',
      fromBeginning: false,
      handler: (e) => {
        letters.push(e);
        return Promise.resolve();
      },
    });
    await bus.subscribe(
      intake.screened(
        {
          topics: [Topics.devicePosture],
          groupId: 'g-1234',
          fromBeginning: false,
          handler: (e) => {
            applied.push(e.id);
            return Promise.resolve();
          },
          onSkipped: (info) => skipped.push(info.topic),
        },
        acceptance,
      ),
    );
    await bus.publish(
      Topics.devicePosture,
      events.map((event) => ({ key: 'k', event })),
    );
    await bus.idle();
    // The dead letters were published while the events were handled.
    await bus.idle();
    return { metrics, applied, skipped, letters };
  }

  it('dead-letters and counts an event invalid by its schema, never applies it, and applies the next', async () => {
    const { metrics, applied, skipped, letters } = await run([
      posture({ device_id: 'laptop 7', signals: { patch_age_days: -1 }, observed_at: observed }, 'bad-1'),
      posture({ device_id: 'laptop-7', signals: { managed: true }, observed_at: observed }, 'good-2'),
    ]);
    expect(applied).toEqual(['good-2']);
    expect(skipped).toEqual([Topics.devicePosture]);
    expect(await refusedCount(metrics, { topic: Topics.devicePosture, reason: 'invalid' })).toBe(1);
    expect(letters).toHaveLength(1);
    const letter = letters[0] as CloudEvent<BusDeadLetterData>;
    expect(letter.type).toBe('com.zt.bus.dead_lettered');
    expect(letter.source).toBe('/zt/device-intelligence');
    expect(letter.data).toMatchObject({
      consumer: 'device-intelligence',
      reason: 'invalid',
      topic: Topics.devicePosture,
      message_id: 'bad-1',
      message_type: EventTypes.devicePosture,
    });
    expect(letter.data.problems.map((p) => p.pointer).sort()).toEqual([
      '/data/device_id',
      '/data/signals/patch_age_days',
    ]);
    expect(JSON.parse(Buffer.from(letter.data.event_base64, 'base64').toString())).toMatchObject({
      id: 'bad-1',
    });
    // The dead letter itself is valid by the schema the AsyncAPI document publishes.
    const ajv = new Ajv({ strict: true, strictTypes: false });
    addFormats(ajv, ['date-time']);
    const validate = ajv.compile(cloudEventSchema(letter.type, BUS_DEAD_LETTER_SCHEMA, 'dead letter'));
    expect(validate(letter)).toBe(true);
  });

  it('holds bus posture to the HTTP intake’s future-time limit', async () => {
    const ahead = new Date(Date.now() + 10 * 60_000).toISOString();
    const { applied, letters } = await run([
      posture({ device_id: 'laptop-7', signals: {}, observed_at: ahead }, 'future'),
    ]);
    expect(applied).toEqual([]);
    expect((letters[0].data as BusDeadLetterData).problems).toEqual([
      { pointer: '/data/observed_at', detail: 'is in the future' },
    ]);
  });

  it('accepts the camelCase posture of the previous release, under the same rules', async () => {
    const { applied, letters } = await run([
      posture({ deviceId: 'laptop-7', signals: { managed: true }, observedAt: observed }, 'legacy-ok'),
      posture({ deviceId: 'laptop-7', signals: { country: 'france' }, observedAt: observed }, 'legacy-bad'),
    ]);
    expect(applied).toEqual(['legacy-ok']);
    expect((letters[0].data as BusDeadLetterData).problems).toEqual([
      { pointer: '/data/signals/country', detail: 'must match pattern "^[A-Z]{2}$"' },
    ]);
  });

  it('passes over an event type the consumer did not declare, without counting or dead-lettering it', async () => {
    const other = createCloudEvent({ source: '/zt/x', type: 'com.zt.device.something_new', data: {} });
    const { metrics, applied, skipped, letters } = await run([other]);
    expect(applied).toEqual([]);
    expect(skipped).toEqual([Topics.devicePosture]);
    expect(letters).toEqual([]);
    expect(await refusedCount(metrics, { topic: Topics.devicePosture, reason: 'invalid' })).toBe(0);
  });

  it('gives one dead letter id to one message, whichever replica refused it', async () => {
    const bad = posture({ device_id: '', signals: {}, observed_at: observed }, 'same');
    const first = await run([bad]);
    const second = await run([bad]);
    expect(first.letters[0].id).toBe(second.letters[0].id);
    expect(first.letters[0].id).toMatch(/^dead-letter-[0-9a-f]{32}$/);
  });

  it('goes on when the dead letter cannot be sent', async () => {
    const bus = new InProcessBus();
    jest.spyOn(bus, 'publish').mockRejectedValue(new Error('broker down'));
    const handler = jest.fn(() => Promise.resolve());
    const screened = new EventIntake(new Registry(), bus).screened(
      { topics: [Topics.devicePosture], groupId: 'g', fromBeginning: true, handler },
      acceptance,
    );
    await screened.handler(posture({ device_id: 'x' }, 'bad'), { topic: Topics.devicePosture, key: 'x' });
    expect(handler).not.toHaveBeenCalled();
    expect(warn.mock.calls.map((c) => String(c[0])).join('\n')).toContain('not sent: Error: broker down');
  });
});
