import { Injectable } from '@nestjs/common';
import type { Principal } from '@zt/auth';
import { AuditExportedData, CloudEvent, createCloudEvent, EventSources, EventTypes } from '@zt/contracts';
import { validationProblem } from '@zt/http';
import { AuditRecordEntity } from './audit-record.entity';
import { AuditRepository, NewAuditRecord } from './audit.repository';
import type { DeliveryInfo } from '@zt/messaging';
import { DeadLettersService } from '../dead-letters/dead-letters.service';
import { isDataError, sqlStateOf } from '../dead-letters/storage-errors';
import { DeliveredEvent, DeliveredFact, deliveredFacts, Poison } from './delivered-records';
import { recordOf } from './event-records';
import type { CheckpointKey } from '@zt/contracts';
import { exportChain } from './chain-export';
import { ChainVerdict, verifyChain } from './chain-verifier';

const MAX_PAGE = 500;
// Records per append transaction unless the caller says otherwise: large enough that the
// per-transaction round trips vanish in the per-record cost, small enough that one transaction
// holds the chain's lock for a fraction of a second.
const RECORDS_PER_TRANSACTION = 2_000;

type StorableFact = Extract<DeliveredFact, { record: unknown }>;

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
   * Records what bus events carry, each fact exactly once whatever the number of deliveries:
   * a decision batch becomes one record per decision (`com.zt.decision.made`, event id
   * `decision-<decision id>`), anything else one record. Consecutive records are appended a
   * batch at a time (one transaction, one insert); a record that cannot be stored goes to the dead
   * letters in its place, so the others of its message are stored all the same, in order. Returns
   * how many records are new in the chain (dead-letter records included). Throws on an
   * infrastructure failure, so the bus delivers the messages again (what was stored is skipped).
   * `perTransaction` bounds the records of one append transaction.
   */
  async recordEvents(
    deliveries: DeliveredEvent[],
    perTransaction = RECORDS_PER_TRANSACTION,
  ): Promise<number> {
    let added = 0;
    let run: StorableFact[] = [];
    for (const fact of deliveredFacts(deliveries)) {
      if ('record' in fact) {
        run.push(fact);
        if (run.length >= perTransaction) {
          added += await this.storeRun(run);
          run = [];
        }
        continue;
      }
      added += await this.storeRun(run);
      run = [];
      if (await this.deadLetters.add(fact.rejected)) added += 1;
    }
    return added + (await this.storeRun(run));
  }

  /** Records what one bus event carries; see {@link recordEvents}. */
  recordEvent(event: CloudEvent, delivery: DeliveryInfo): Promise<number> {
    return this.recordEvents([{ event, info: delivery }]);
  }

  /**
   * Appends consecutive records in one transaction. When the database refuses the batch for the
   * data of some record, the batch is stored again one record at a time, so that only that record
   * goes to the dead letters.
   */
  private async storeRun(run: StorableFact[]): Promise<number> {
    if (run.length === 0) return 0;
    try {
      return await this.repository.appendBatch(run.map((fact) => fact.record));
    } catch (error) {
      if (!isDataError(error)) throw error;
    }
    let added = 0;
    for (const { record, poison } of run) if (await this.store(record, poison)) added += 1;
    return added;
  }

  /**
   * Appends a record, or its dead letter when the database refuses its data. Infrastructure
   * failures propagate, so the bus delivers the message again.
   */
  private async store(record: NewAuditRecord, poison: Poison): Promise<boolean> {
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

  /**
   * Walks the chain and its signed checkpoints through the head at the time of asking (records
   * appended meanwhile are left to the next call); reports the first broken link, or the head it
   * verified.
   */
  async verify(key: CheckpointKey): Promise<ChainVerdict> {
    return verifyChain(this.repository, key, undefined, await this.repository.headSeq());
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
