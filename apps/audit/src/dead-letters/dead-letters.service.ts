import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EventSources } from '@zt/contracts';
import { validationProblem } from '@zt/http';
import { ReadinessRegistry } from '@zt/observability';
import { Counter, Registry } from 'prom-client';
import {
  DEAD_LETTER_REASONS,
  DEAD_LETTERED_TYPE,
  DeadLetterReason,
  DeadLetteredData,
  DeadLetterRow,
  DeadLetterView,
  Rejected,
} from './dead-letter';
import { DeadLettersRepository } from './dead-letters.repository';
import { deliveredJson, printable } from './delivered-json';

const MAX_PAGE = 500;

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Query parameters of the dead-letter listing, as received. */
export interface DeadLetterListParams {
  reason?: string;
  cursor?: string;
  limit?: string;
}

/** A page of dead letters and the cursor of the next page (absent on the last page). */
export interface DeadLetterPage {
  items: DeadLetterView[];
  next_cursor?: string;
}

/** The stored form of a rejected record: printable texts, raw JSON bytes, an arrival key. */
export function deadLetterRowOf(rejected: Rejected, receivedAt: Date): DeadLetterRow {
  const { arrival, entryIndex } = rejected;
  const rawText = deliveredJson(rejected.content);
  const raw = Buffer.from(rawText, 'utf8');
  return {
    // The same entry of the same message delivered again is the same dead letter.
    arrivalKey: sha256(deliveredJson([arrival.topic, arrival.messageId, entryIndex, rawText])),
    receivedAt,
    reason: rejected.reason,
    detail: printable(rejected.detail, 2_000),
    topic: printable(arrival.topic),
    partition: arrival.partition ?? null,
    offset: arrival.offset === undefined ? null : printable(arrival.offset),
    messageId: printable(arrival.messageId),
    messageType: printable(arrival.messageType),
    entryIndex,
    raw,
    rawSha256: sha256(raw),
  };
}

/**
 * Keeps what could not become an audit record, whole and with its reason, so that one hostile or
 * broken record never holds back or drops the others of its message; counts them for alerting.
 */
@Injectable()
export class DeadLettersService implements OnApplicationBootstrap {
  private readonly logger = new Logger('AuditDeadLetters');
  private readonly counter: Counter<'reason'>;
  private sinceStart = 0;
  private last: { id: number; at: string; reason: DeadLetterReason } | undefined;

  constructor(
    private readonly repository: DeadLettersRepository,
    private readonly readiness: ReadinessRegistry,
    @Inject(Registry) metrics: Registry,
  ) {
    this.counter = new Counter({
      name: 'zt_audit_dead_letters_total',
      help: 'Records that could not be stored in the audit chain and went to the dead letters, by reason.',
      labelNames: ['reason'],
      registers: [metrics],
    });
    // Every reason from zero, so `increase()` alerts fire on the first dead letter too.
    for (const reason of DEAD_LETTER_REASONS) this.counter.labels(reason).inc(0);
  }

  onApplicationBootstrap(): void {
    // Dead letters never make the service unready; the count is here for a look without Prometheus.
    this.readiness.register('audit-dead-letters', () =>
      Promise.resolve({
        ready: true,
        detail: { sinceStart: this.sinceStart, ...(this.last ? { last: this.last } : {}) },
      }),
    );
  }

  /**
   * Stores a record that cannot be stored in the chain, and the chain record that says so.
   * Returns true when it is new (the chain grew), false for a redelivery of one already kept.
   */
  async add(rejected: Rejected, receivedAt = new Date()): Promise<boolean> {
    const row = deadLetterRowOf(rejected, receivedAt);
    const id = await this.repository.add(row, (deadLetterId) => {
      const data: DeadLetteredData = {
        dead_letter_id: deadLetterId,
        reason: row.reason,
        detail: row.detail,
        topic: row.topic,
        partition: row.partition,
        offset: row.offset,
        message_id: row.messageId,
        message_type: row.messageType,
        entry_index: row.entryIndex,
        raw_sha256: row.rawSha256,
        raw_bytes: row.raw.length,
      };
      return {
        eventId: `dead-letter-${row.arrivalKey}`,
        eventTime: receivedAt.toISOString(),
        type: DEAD_LETTERED_TYPE,
        source: EventSources.audit,
        actor: EventSources.audit,
        subject: `dead-letter-${deadLetterId}`,
        payload: data,
      };
    });
    if (id === undefined) return false;
    this.counter.labels(row.reason).inc();
    this.sinceStart += 1;
    this.last = { id, at: receivedAt.toISOString(), reason: row.reason };
    this.logger.error(
      `dead letter ${id} (${row.reason}): message ${row.messageId} on ${row.topic}` +
        `${row.entryIndex === null ? '' : ` entry ${row.entryIndex}`}: ${row.detail}`,
    );
    return true;
  }

  /** A page of dead letters, oldest first; refuses bad parameters with pointers. */
  async list(params: DeadLetterListParams): Promise<DeadLetterPage> {
    const errors: { pointer: string; detail: string }[] = [];
    const limit = params.limit === undefined ? 100 : Number(params.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      errors.push({ pointer: '/limit', detail: `must be an integer from 1 to ${MAX_PAGE}` });
    }
    const after = params.cursor === undefined ? undefined : Number(params.cursor);
    if (after !== undefined && !(Number.isSafeInteger(after) && after >= 0)) {
      errors.push({ pointer: '/cursor', detail: 'must be a cursor returned by a previous page' });
    }
    const reason = params.reason;
    if (reason !== undefined && !(DEAD_LETTER_REASONS as readonly string[]).includes(reason)) {
      errors.push({ pointer: '/reason', detail: `must be one of ${DEAD_LETTER_REASONS.join(', ')}` });
    }
    if (errors.length > 0) throw validationProblem(errors, 'Invalid query parameters.');
    const items = await this.repository.list({ reason, after, limit });
    return items.length === limit ? { items, next_cursor: String(items[items.length - 1].id) } : { items };
  }
}
