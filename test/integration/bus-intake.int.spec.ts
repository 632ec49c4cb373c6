import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { createCloudEvent, EventTypes, Topics } from '@zt/contracts';
import { EventIntake, KafkaBus } from '@zt/messaging';
import { Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { INFRA, testKafkaBus } from '../support/distributed';
import { eventually } from '../support/http';

function posture(id: string, data: Record<string, unknown>): string {
  return JSON.stringify(createCloudEvent({ id, source: '/it', type: EventTypes.devicePosture, data }));
}

describe('Event intake on the real broker', () => {
  const prefix = `it-intake-${randomBytes(4).toString('hex')}.`;
  let bus: KafkaBus;

  beforeAll(async () => {
    bus = testKafkaBus('bus-intake-it', prefix);
    await bus.connect();
  });

  afterAll(async () => {
    await bus?.close();
  });

  it('skips what is not JSON or not a CloudEvent, refuses poisoned events, counts and logs each once, and applies the next', async () => {
    const warnings: string[] = [];
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
      warnings.push(String(message));
    });
    const metrics = new Registry();
    const applied: string[] = [];
    const skipped: string[] = [];
    await bus.subscribe(
      new EventIntake(metrics).screened({
        topics: [Topics.devicePosture],
        groupId: `${prefix}reader`,
        fromBeginning: true,
        handler: (event) => {
          applied.push(event.id);
          return Promise.resolve();
        },
        onSkipped: (info) => skipped.push(`${info.partition}@${info.offset}`),
      }),
    );
    const producer = new Kafka({ brokers: INFRA.kafkaBrokers.split(','), clientId: 'poison' }).producer();
    await producer.connect();
    const good = { deviceId: 'laptop-7', signals: {}, observedAt: new Date().toISOString() };
    await producer.send({
      topic: `${prefix}${Topics.devicePosture}`,
      // One key, so one partition and this order.
      messages: [
        'not json',
        '{"hello":"world"}',
        posture('nul', { ...good, deviceId: 'laptop\u0000-7' }),
        // JSON can say a number no double holds: it parses as Infinity.
        posture('huge', { ...good, signals: {} }).replace(
          '"signals":{}',
          '"signals":{"patch_age_days":1e400}',
        ),
        posture('good', good),
      ].map((value) => ({ key: 'laptop-7', value })),
    });
    await producer.disconnect();
    await eventually(() => (applied.length > 0 ? true : undefined), 60_000, 'the good event');
    warn.mockRestore();
    expect(applied).toEqual(['good']);
    expect(skipped).toHaveLength(4);
    const counts = (await metrics.getSingleMetric('zt_bus_events_refused_total')!.get()).values;
    expect(Object.fromEntries(counts.map((v) => [v.labels.reason, v.value]))).toEqual({
      not_cloudevent: 2,
      unsafe_input: 2,
      // This screening declares no event types, so no schema is checked.
      invalid: 0,
    });
    const refusals = warnings.filter((w) => w.startsWith('refused event'));
    expect(refusals).toHaveLength(2);
    expect(refusals[0]).toMatch(
      /^refused event "nul" .* on zt\.device\.posture\[\d+\]@2: "\/data\/deviceId" contains the control character U\+0000/,
    );
    expect(refusals[1]).toMatch(/"\/data\/signals\/patch_age_days" is not a finite number/);
    // eslint-disable-next-line no-control-regex -- the poison must not reach the log
    expect(refusals.join('\n')).not.toMatch(/[\u0000-\u0009\u000B-\u001F]/);
  });
});
