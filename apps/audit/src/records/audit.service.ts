import { Injectable } from '@nestjs/common';
import type { Principal } from '@zt/auth';
import { AuditExportedData, CloudEvent, createCloudEvent, EventSources, EventTypes } from '@zt/contracts';
import { validationProblem } from '@zt/http';
import { AuditRecordEntity } from './audit-record.entity';
import { AuditRepository, NewAuditRecord } from './audit.repository';
import type { DeliveryInfo } from '@zt/messaging';
import type { Arrival, Rejected } from '../dead-letters/dead-letter';
import { DeadLettersService } from '../dead-letters/dead-letters.service';
import { isDataError, sqlStateOf } from '../dead-letters/storage-errors';
import { batchEntriesOf, decisionRecordOf, recordOf, recordProblems } from './event-records';
import type { CheckpointKey } from '@zt/contracts';
import { exportChain } from './chain-export';
import { ChainVerdict, verifyChain } from './chain-verifier';

const MAX_PAGE = 500;

/** Query parameters of the audit listing, as received. */
export interface AuditListParams {
  type?: string;
  actor?: string;
  subject?: string;
  policyId?: string;
  deviceId?: string;
  from?: string;
  to?: string;
  cursor?: string;
  limit?: string;
}

/** A page of audit records and the cursor of the next page (absent on the last page). */
export interface AuditPage {
  items: AuditRecordEntity[];
  next_cursor?: string;
}

/** Turns bus events into sealed audit records and serves them back. */
@Injectable()
export class AuditService {
  constructor(
    private readonly repository: AuditRepository,
    private readonly deadLetters: DeadLettersService,
  ) {}

  /**
   * Records what a bus event carries, each fact exactly once whatever the number of deliveries:
   * a decision batch becomes one record per decision (`com.zt.decision.made`, event id
   * `decision-<decision id>`), anything else one record. A record that cannot be stored goes to
   * the dead letters in its place, so the others of its message are stored all the same, in
   * order. Returns how many records are new in the chain (dead-letter records included).
   */
  async recordEvent(event: CloudEvent, delivery: DeliveryInfo): Promise<number> {
    const arrival: Arrival = {
      topic: delivery.topic,
      partition: delivery.partition,
      offset: delivery.offset,
      messageId: event.id,
      messageType: event.type,
    };
    const whole = { arrival, entryIndex: null, content: event };
    if (event.type !== EventTypes.decisionBatch) return (await this.store(recordOf(event), whole)) ? 1 : 0;
    const batch = batchEntriesOf(event);
    if ('malformed' in batch) {
      return (await this.deadLetters.add({ ...whole, reason: 'malformed', detail: batch.malformed })) ? 1 : 0;
    }
    let added = 0;
    for (const [entryIndex, entry] of batch.entries.entries()) {
      const poison = { arrival, entryIndex, content: entry };
      const record = decisionRecordOf(event, entry);
      const stored =
        'malformed' in record
          ? await this.deadLetters.add({ ...poison, reason: 'malformed', detail: record.malformed })
          : await this.store(record, poison);
      if (stored) added += 1;
    }
    return added;
  }

  /**
   * Appends a record, or its dead letter when it cannot be stored: checked by the one rule for
   * untrusted input first, and a data error of the insert caught too. Infrastructure failures
   * propagate, so the bus delivers the message again.
   */
  private async store(record: NewAuditRecord, poison: Omit<Rejected, 'reason' | 'detail'>): Promise<boolean> {
    const problems = recordProblems(record);
    if (problems.length > 0) {
      const detail = problems.map((p) => `${p.pointer} ${p.detail}`).join('; ');
      return this.deadLetters.add({ ...poison, reason: 'unsafe_input', detail });
    }
    try {
      return await this.repository.append(record);
    } catch (error) {
      if (!isDataError(error)) throw error;
      const message = error instanceof Error ? error.message : String(error);
      const detail = `SQLSTATE ${sqlStateOf(error)}: ${message}`;
      return this.deadLetters.add({ ...poison, reason: 'rejected_by_database', detail });
    }
  }

  /** Records one event exactly once, whatever the number of deliveries. */
  record(event: CloudEvent): Promise<boolean> {
    return this.repository.append(recordOf(event));
  }

  /** Records that someone exported the trail; the export they receive ends with this record. */
  recordExport(actor: Principal, correlationId?: string): Promise<boolean> {
    const data: AuditExportedData = { actor: { sub: actor.sub, roles: actor.roles } };
    return this.record(
      createCloudEvent({
        source: EventSources.audit,
        type: EventTypes.auditExported,
        subject: 'audit-export',
        data,
        correlationId,
      }),
    );
  }

  /** Walks the whole chain and its signed checkpoints; reports the first broken link, or the head it verified. */
  verify(key: CheckpointKey): Promise<ChainVerdict> {
    return verifyChain(this.repository, key);
  }

  /** The retained log as JSON Lines through record `through` (everything when absent). */
  export(through?: number): AsyncGenerator<string> {
    return exportChain(this.repository, through);
  }

  async list(params: AuditListParams): Promise<AuditPage> {
    const limit = params.limit === undefined ? 100 : Number(params.limit);
    const errors: { pointer: string; detail: string }[] = [];
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      errors.push({ pointer: '/limit', detail: `must be an integer from 1 to ${MAX_PAGE}` });
    }
    const after = params.cursor === undefined ? undefined : Number(params.cursor);
    if (after !== undefined && !(Number.isSafeInteger(after) && after >= 0)) {
      errors.push({ pointer: '/cursor', detail: 'must be a cursor returned by a previous page' });
    }
    for (const name of ['type', 'actor', 'subject', 'policyId', 'deviceId'] as const) {
      if ((params[name]?.length ?? 0) > 256) errors.push({ pointer: `/${name}`, detail: 'is too long' });
    }
    const instant = (name: 'from' | 'to'): Date | undefined => {
      const text = params[name];
      if (text === undefined) return undefined;
      const date = new Date(text);
      if (Number.isNaN(date.getTime()))
        errors.push({ pointer: `/${name}`, detail: 'must be an ISO 8601 instant' });
      return date;
    };
    const from = instant('from');
    const to = instant('to');
    if (errors.length > 0) throw validationProblem(errors, 'Invalid query parameters.');
    const { type, actor, subject, policyId, deviceId } = params;
    const items = await this.repository.list({
      type,
      actor,
      subject,
      policyId,
      deviceId,
      from,
      to,
      after,
      limit,
    });
    return items.length === limit ? { items, next_cursor: String(items[items.length - 1].seq) } : { items };
  }
}
