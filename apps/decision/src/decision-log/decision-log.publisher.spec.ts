import { loadConfig } from '@zt/config';
import type { DecisionBatchData, DecisionLogData, TopicName } from '@zt/contracts';
import { InProcessBus, MessageBus, OutgoingMessage, PublisherHooks, StreamPublisher } from '@zt/messaging';
import { ReadinessRegistry } from '@zt/observability';
import { Registry } from 'prom-client';
import { DecisionLogPublisher } from './decision-log.publisher';

/** A bus that accepts nothing until released: Kafka unreachable. */
class StalledBus extends InProcessBus {
  private release: (() => void) | undefined;
  readonly published: OutgoingMessage[] = [];
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));

  override async publish(_topic: TopicName, messages: OutgoingMessage[]): Promise<void> {
    await this.gate;
    this.published.push(...messages);
  }

  open(): void {
    this.release?.();
  }

  /** The decisions published, unpacked from their batch messages. */
  get decisions(): DecisionLogData[] {
    return this.published.flatMap((m) => (m.event.data as DecisionBatchData).decisions);
  }
}

/** A bus whose stream publisher runs on a worker thread that dies during the first send. */
class ThreadLosingBus extends StalledBus {
  override openPublisher(hooks: PublisherHooks = {}): StreamPublisher {
    let lost = false;
    return {
      runsOn: 'worker-thread',
      publish: (topic, messages) => {
        if (lost) return this.publish(topic, messages);
        lost = true;
        hooks.onThreadExit?.('exit code 1');
        return Promise.reject(new Error('the Kafka producer thread stopped: exit code 1'));
      },
      close: () => Promise.resolve(),
    };
  }
}

const data = (n: number, decision = 'deny'): DecisionLogData & { at: string } => ({
  decisionId: `d${n}`,
  requestDigest: 'x',
  decision,
  subject: 'alice@company.com',
  action: 'read',
  resource: 'gitlab.repo',
  policies: [],
  revision: 1,
  latencyMs: 0.1,
  at: new Date().toISOString(),
});

function publisher(bus: MessageBus, env: Record<string, string>): DecisionLogPublisher {
  const config = loadConfig({ DECISION_LOG_FLUSH_MS: '60000', ...env });
  return new DecisionLogPublisher(bus, config, new Registry(), new ReadinessRegistry());
}

describe('DecisionLogPublisher', () => {
  it('publishes in batches and redacts the configured fields', async () => {
    const bus = new StalledBus();
    bus.open();
    const log = publisher(bus, { DECISION_LOG_BATCH: '2', DECISION_LOG_REDACT: 'subject' });
    for (let i = 0; i < 5; i++) await log.record(data(i));
    await log.flush();
    expect(bus.decisions).toHaveLength(5);
    expect(bus.published.every((m) => m.event.type === 'com.zt.decision.batch')).toBe(true);
    const first = bus.decisions[0];
    expect(first.subject).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(first.resource).toBe('gitlab.repo');
    expect(log.counts).toMatchObject({ published: 5, dropped: 0 });
  });

  it('records the whole input for replay, with redacted fields digested and their properties dropped', async () => {
    const input = {
      subject: { type: 'user', id: 'alice@company.com', roles: ['admin'], attributes: { email: 'a@x' } },
      action: 'read',
      resource: { type: 'repo', id: 'gitlab.repo', attributes: { owner: 'bob' } },
      context: { ip: '10.0.0.1' },
    };
    const plain = new StalledBus();
    plain.open();
    const kept = publisher(plain, {});
    await kept.record({ ...data(1), input });
    await kept.flush();
    expect(plain.decisions[0].input).toEqual(input);
    expect(plain.decisions[0].inputRedacted).toBeUndefined();

    const redacting = new StalledBus();
    redacting.open();
    const log = publisher(redacting, { DECISION_LOG_REDACT: 'subject,action' });
    await log.record({ ...data(2), input });
    await log.flush();
    const logged = redacting.decisions[0];
    expect(logged.inputRedacted).toBe(true);
    expect(logged.input).toEqual({
      subject: { type: 'user', id: logged.subject },
      action: logged.action,
      resource: input.resource,
      context: input.context,
    });
    expect(JSON.stringify(logged)).not.toMatch(/alice|admin|a@x/);

    const off = new StalledBus();
    off.open();
    const none = publisher(off, { DECISION_LOG_INPUTS: 'false' });
    await none.record({ ...data(3), input });
    await none.flush();
    expect(off.decisions[0].input).toBeUndefined();
  });

  it('drops and counts when the buffer is full and the policy is drop', async () => {
    const bus = new StalledBus();
    const log = publisher(bus, {
      DECISION_LOG_BUFFER: '3',
      DECISION_LOG_BATCH: '100',
      DECISION_LOG_ON_FULL: 'drop',
    });
    for (let i = 0; i < 10; i++) await log.record(data(i));
    expect(log.counts).toMatchObject({ dropped: 7, published: 0 });
    bus.open();
    await log.flush();
    expect(bus.decisions.map((d) => d.decisionId)).toEqual(['d0', 'd1', 'd2']);
  });

  it('blocks briefly for room, then drops and counts, when the policy is block', async () => {
    const bus = new StalledBus();
    const log = publisher(bus, {
      DECISION_LOG_BUFFER: '2',
      DECISION_LOG_ON_FULL: 'block',
      DECISION_LOG_BLOCK_MS: '20',
    });
    await log.record(data(1));
    await log.record(data(2));
    await log.record(data(3));
    expect(log.counts.dropped).toBe(1);
  });

  it('makes room for a blocked decision as soon as the bus takes the buffer', async () => {
    const bus = new StalledBus();
    const log = publisher(bus, {
      DECISION_LOG_BUFFER: '1',
      DECISION_LOG_ON_FULL: 'block',
      DECISION_LOG_BLOCK_MS: '5000',
    });
    await log.record(data(1));
    const blocked = log.record(data(2));
    bus.open();
    await blocked;
    await log.flush();
    expect(log.counts).toMatchObject({ dropped: 0, published: 2 });
  });

  it('samples allow decisions only, and says the rate on each record', async () => {
    const bus = new StalledBus();
    bus.open();
    const log = publisher(bus, { DECISION_LOG_SAMPLE_RATE: '0' });
    await log.record(data(1, 'allow'));
    await log.record(data(2, 'deny'));
    await log.record(data(3, 'isolate'));
    await log.flush();
    expect(bus.decisions.map((d) => d.decisionId)).toEqual(['d2', 'd3']);
    expect(bus.decisions[0].sampleRate).toBe(1);
    expect(log.counts.sampledOut).toBe(1);
  });

  it('packs many decisions into one message, with the time and correlation id of each', async () => {
    const bus = new StalledBus();
    bus.open();
    const log = publisher(bus, { DECISION_LOG_BATCH: '1000' });
    for (let i = 0; i < 250; i++) await log.record({ ...data(i), correlationId: `corr-${i}` });
    await log.flush();
    expect(bus.published).toHaveLength(3);
    expect(bus.decisions).toHaveLength(250);
    expect(bus.decisions[7]).toMatchObject({ decisionId: 'd7', correlationId: 'corr-7' });
    expect(Date.parse(bus.decisions[7].at ?? '')).not.toBeNaN();
  });

  it('keeps the batch a dead producer thread did not confirm, counts the loss and publishes it again', async () => {
    const bus = new ThreadLosingBus();
    bus.open();
    const log = publisher(bus, { DECISION_LOG_BATCH: '1000' });
    for (let i = 0; i < 3; i++) await log.record(data(i));
    await log.flush();
    expect(bus.decisions).toHaveLength(0);
    expect(log.counts).toMatchObject({ published: 0, dropped: 0, failedPublishes: 1, threadRestarts: 1 });
    await log.flush();
    expect(bus.decisions.map((d) => d.decisionId)).toEqual(['d0', 'd1', 'd2']);
    expect(log.counts).toMatchObject({ published: 3, dropped: 0, threadRestarts: 1 });
  });
});
