import { createHash } from 'node:crypto';
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@zt/config';
import {
  createCloudEvent,
  DecisionBatchData,
  DecisionLogData,
  EventSources,
  EventTypes,
  RecordedDecisionInput,
  Topics,
} from '@zt/contracts';
import { MessageBus, StreamPublisher } from '@zt/messaging';
import { ReadinessRegistry } from '@zt/observability';
import { Counter, Gauge, Registry } from 'prom-client';

const REDACTABLE = ['subject', 'resource', 'action'] as const;
// Decisions per Kafka message: large enough that per-record encoding no longer matters, small
// enough that a message stays well under Kafka's default 1 MB limit.
const DECISIONS_PER_MESSAGE = 100;
type Redactable = (typeof REDACTABLE)[number];

/** A field replaced by its digest: still joinable across records, no longer readable. */
function redacted(value: string): string {
  return `sha256:${createHash('sha256').update(value).digest('hex')}`;
}

/**
 * The input with the redacted fields replaced as the record's own: an id by its digest and the
 * properties that would identify it dropped (a role list or an email reads as well as a name).
 */
export function redactedInput(
  input: RecordedDecisionInput,
  fields: ReadonlySet<Redactable>,
): RecordedDecisionInput {
  return {
    subject: fields.has('subject')
      ? {
          ...(input.subject.type === undefined ? {} : { type: input.subject.type }),
          id: redacted(input.subject.id),
        }
      : input.subject,
    action: fields.has('action') ? redacted(input.action) : input.action,
    resource: fields.has('resource')
      ? {
          ...(input.resource.type === undefined ? {} : { type: input.resource.type }),
          id: redacted(input.resource.id),
        }
      : input.resource,
    ...(input.context === undefined ? {} : { context: input.context }),
  };
}

/**
 * Sends decisions to `zt.decision.log` in batches, off the decision's path, many decisions per
 * message (`com.zt.decision.batch`). Allow decisions are
 * sampled at DECISION_LOG_SAMPLE_RATE (each record says the rate, so counts can be scaled back);
 * every other effect is always sent, since denials are what investigations look for. The buffer
 * is bounded: when it is full the decision waits up to DECISION_LOG_BLOCK_MS for room
 * (`block`) or the record is dropped at once (`drop`). Nothing is dropped silently: drops are
 * counted in metrics and /readyz. A failed publish keeps the batch and retries it.
 *
 * The stream has a publisher of its own: on Kafka a producer in a worker thread, so that the
 * producer's encoding and garbage do not take the decisions' event loop (nor lengthen their
 * pauses); in-process (standalone) the bus itself.
 *
 * Each record carries the decision's whole input (DECISION_LOG_INPUTS), so that a policy change can
 * be replayed on real traffic before it is published (policy-admin's `changesets:simulate`). A worker thread that dies is counted, logged
 * and replaced; the batch it had not confirmed stays here and is published again.
 */
@Injectable()
export class DecisionLogPublisher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('DecisionLogPublisher');
  private buffer: DecisionLogData[] = [];
  private roomWaiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | null = null;
  private publisher: StreamPublisher | undefined;
  private readonly redact: Set<Redactable>;
  private readonly outcomes: Record<'published' | 'dropped' | 'sampledOut', Counter.Internal>;
  private readonly buffered: Gauge;
  private readonly threadRestarts: Counter;
  private readonly totals = {
    published: 0,
    dropped: 0,
    sampledOut: 0,
    failedPublishes: 0,
    threadRestarts: 0,
  };
  private lastError: string | undefined;
  private lastDropWarning = 0;

  constructor(
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Registry) metrics: Registry,
    private readonly readiness: ReadinessRegistry,
  ) {
    this.redact = new Set(
      config.DECISION_LOG_REDACT.filter((f): f is Redactable =>
        (REDACTABLE as readonly string[]).includes(f),
      ),
    );
    const events = new Counter({
      name: 'zt_decision_log_events_total',
      help: 'Decision log records by outcome: published, dropped (buffer full), sampled_out.',
      labelNames: ['outcome'],
      registers: [metrics],
    });
    // Children bound once: a labelled inc() hashes its labels on every call.
    this.outcomes = {
      published: events.labels('published'),
      dropped: events.labels('dropped'),
      sampledOut: events.labels('sampled_out'),
    };
    this.buffered = new Gauge({
      name: 'zt_decision_log_buffered',
      help: 'Decision log records waiting to be published.',
      registers: [metrics],
      collect: () => this.buffered.set(this.buffer.length),
    });
    this.threadRestarts = new Counter({
      name: 'zt_decision_log_thread_restarts_total',
      help: 'Times the decision log producer thread stopped unexpectedly and was replaced.',
      registers: [metrics],
    });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush(), this.config.DECISION_LOG_FLUSH_MS);
    this.readiness.register('decision-log', () =>
      Promise.resolve({
        // Dropping is the configured choice, not a fault: the replica can still decide.
        ready: true,
        detail: {
          buffered: this.buffer.length,
          capacity: this.config.DECISION_LOG_BUFFER,
          ...this.totals,
          publishesFrom: this.stream.runsOn,
          ...(this.lastError ? { lastError: this.lastError } : {}),
        },
      }),
    );
  }

  /** Runs before any module's shutdown hook, so the bus is still open for the last records. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    // One last attempt for what is buffered; a bus that is unreachable cannot take it.
    await this.flush().catch(() => undefined);
    if (this.buffer.length > 0) this.drop(this.buffer.length, 'shutdown');
    await this.publisher?.close();
  }

  /** Counts of what happened to decision log records, for tests and health. */
  get counts(): Readonly<typeof this.totals> {
    return this.totals;
  }

  /**
   * Queues one decision's record. Returns nothing when the record is queued (or sampled out) at
   * once, and a promise when the buffer is full and the policy is `block`: the caller waits for
   * room, up to DECISION_LOG_BLOCK_MS, before the record is queued or dropped.
   */
  record(entry: Omit<DecisionLogData, 'sampleRate'> & { at: string }): Promise<void> | undefined {
    const rate = this.config.DECISION_LOG_SAMPLE_RATE;
    if (entry.decision === 'allow' && rate < 1 && Math.random() >= rate) {
      this.totals.sampledOut += 1;
      this.outcomes.sampledOut.inc();
      return undefined;
    }
    // Member by member, in one fixed shape: a spread that adds members is slow in V8 (Node 20),
    // and this runs on every decision.
    const logged: DecisionLogData = {
      decisionId: entry.decisionId,
      requestDigest: entry.requestDigest,
      decision: entry.decision,
      subject: entry.subject,
      action: entry.action,
      resource: entry.resource,
      policies: entry.policies,
      revision: entry.revision,
      latencyMs: entry.latencyMs,
      cached: entry.cached,
      sampleRate: entry.decision === 'allow' ? rate : 1,
      at: entry.at,
      correlationId: entry.correlationId,
      input: this.config.DECISION_LOG_INPUTS ? entry.input : undefined,
    };
    for (const field of this.redact) logged[field] = redacted(logged[field]);
    if (this.redact.size > 0 && logged.input !== undefined) {
      logged.input = redactedInput(logged.input, this.redact);
      logged.inputRedacted = true;
    }
    if (this.buffer.length < this.config.DECISION_LOG_BUFFER) {
      this.enqueue(logged);
      return undefined;
    }
    if (this.config.DECISION_LOG_ON_FULL === 'drop') {
      this.drop(1, 'full');
      return undefined;
    }
    return this.waitForRoom().then(() => {
      if (this.buffer.length < this.config.DECISION_LOG_BUFFER) this.enqueue(logged);
      else this.drop(1, 'full');
    });
  }

  /** The stream's own publisher, opened on first use (a worker thread on Kafka). */
  private get stream(): StreamPublisher {
    this.publisher ??= this.bus.openPublisher({
      onThreadExit: (reason) => {
        this.totals.threadRestarts += 1;
        this.threadRestarts.inc();
        this.lastError = `producer thread stopped: ${reason}`;
      },
    });
    return this.publisher;
  }

  private enqueue(logged: DecisionLogData): void {
    this.buffer.push(logged);
    if (this.buffer.length >= this.config.DECISION_LOG_BATCH) void this.flush();
  }

  /** Publishes buffered records batch by batch; one flush at a time. */
  flush(): Promise<void> {
    this.flushing ??= this.publishBatches().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async publishBatches(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.slice(0, this.config.DECISION_LOG_BATCH);
      const messages = [];
      for (let i = 0; i < batch.length; i += DECISIONS_PER_MESSAGE) {
        const data: DecisionBatchData = { decisions: batch.slice(i, i + DECISIONS_PER_MESSAGE) };
        const event = createCloudEvent({
          source: EventSources.decision,
          type: EventTypes.decisionBatch,
          data,
        });
        messages.push({ key: event.id, event });
      }
      try {
        await this.stream.publish(Topics.decisionLog, messages);
      } catch (error) {
        this.totals.failedPublishes += 1;
        this.lastError = String(error);
        this.logger.warn(
          `decision log batch of ${batch.length} not published, will retry: ${this.lastError}`,
        );
        return;
      }
      this.buffer = this.buffer.slice(batch.length);
      this.totals.published += batch.length;
      this.outcomes.published.inc(batch.length);
      const waiters = this.roomWaiters;
      this.roomWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  private waitForRoom(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.config.DECISION_LOG_BLOCK_MS);
      this.roomWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
      void this.flush();
    });
  }

  private drop(count: number, why: string): void {
    this.totals.dropped += count;
    this.outcomes.dropped.inc(count);
    // At most one warning a second: under overload, one per drop would flood the logs too.
    if (Date.now() - this.lastDropWarning >= 1000) {
      this.lastDropWarning = Date.now();
      this.logger.warn(`decision log records dropped (${why}); total dropped ${this.totals.dropped}`);
    }
  }
}
