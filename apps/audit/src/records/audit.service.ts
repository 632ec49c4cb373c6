import { Injectable, Logger } from '@nestjs/common';
import type { Principal } from '@zt/auth';
import {
  AuditExportedData,
  CloudEvent,
  createCloudEvent,
  DecisionLogData,
  EventSources,
  EventTypes,
} from '@zt/contracts';
import { validationProblem } from '@zt/http';
import { AuditRecordEntity } from './audit-record.entity';
import { AuditRepository } from './audit.repository';
import { AuditExportLine, BrokenLink, checkChain, EMPTY_CHAIN } from '@zt/contracts';
import { sealedOf } from './audit-record.entity';

const MAX_PAGE = 500;
const VERIFY_BATCH = 1000;

function isoInstant(time: string): string {
  const parsed = new Date(time);
  return Number.isNaN(parsed.getTime()) ? new Date().toISOString() : parsed.toISOString();
}

// Bus input is untrusted: a batch larger than any publisher sends is not unpacked.
const MAX_BATCH = 10_000;

/** The entries of a batch event, and its well-formed decisions (the others cannot be sealed meaningfully). */
function decisionsOf(event: CloudEvent): { entries: number; decisions: DecisionLogData[] } {
  const decisions = (event.data as { decisions?: unknown } | null)?.decisions;
  if (!Array.isArray(decisions)) return { entries: 0, decisions: [] };
  if (decisions.length > MAX_BATCH) return { entries: decisions.length, decisions: [] };
  const wellFormed = decisions.filter(
    (d): d is DecisionLogData =>
      typeof d === 'object' &&
      d !== null &&
      typeof (d as DecisionLogData).decisionId === 'string' &&
      (d as DecisionLogData).decisionId.length > 0 &&
      (d as DecisionLogData).decisionId.length <= 256,
  );
  return { entries: decisions.length, decisions: wellFormed };
}

/** Who caused an event: the actor of a change, the subject of a decision, else the source. */
function actorOf(event: CloudEvent): string {
  const data = (event.data ?? {}) as { actor?: { sub?: unknown }; subject?: unknown };
  if (typeof data.actor?.sub === 'string') return data.actor.sub;
  if (typeof data.subject === 'string') return data.subject;
  return event.source;
}

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
  private readonly logger = new Logger('AuditService');

  constructor(private readonly repository: AuditRepository) {}

  /**
   * Records what a bus event carries, each fact exactly once whatever the number of deliveries:
   * a decision batch becomes one record per decision (`com.zt.decision.made`, event id
   * `decision-<decision id>`), anything else one record. Returns how many records are new.
   */
  async recordEvent(event: CloudEvent): Promise<number> {
    if (event.type !== EventTypes.decisionBatch) return (await this.record(event)) ? 1 : 0;
    let added = 0;
    const { entries, decisions } = decisionsOf(event);
    if (decisions.length !== entries) {
      // Not recordable, but never silently gone: the batch event id lets an operator find it on the topic.
      this.logger.error(
        `decision batch ${event.id}: ${entries - decisions.length} of ${entries} entries malformed, not recorded`,
      );
    }
    for (const decision of decisions) {
      const single = createCloudEvent({
        id: `decision-${decision.decisionId}`,
        source: event.source,
        type: EventTypes.decisionMade,
        time: new Date(decision.at ?? event.time),
        subject: decision.decisionId,
        data: decision,
        correlationId: decision.correlationId,
      });
      if (await this.record(single)) added += 1;
    }
    return added;
  }

  /** Records one event exactly once, whatever the number of deliveries. */
  record(event: CloudEvent): Promise<boolean> {
    return this.repository.append({
      eventId: event.id,
      // Sealed as a normalized ISO instant, the form the database gives back when verifying.
      eventTime: isoInstant(event.time),
      type: event.type,
      source: event.source,
      actor: actorOf(event),
      subject: event.subject ?? null,
      payload: event.data,
    });
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

  /** Walks the whole chain; reports the first broken link, or the head it verified. */
  async verify(): Promise<{
    valid: boolean;
    records: number;
    headSeq: number;
    headHash: string;
    prunedThrough?: number;
    firstBroken?: BrokenLink;
  }> {
    // A pruned chain starts at its anchor: the signed head of the last removed record.
    const anchor = await this.repository.anchor();
    let head = anchor ? { seq: anchor.seq, hash: anchor.headHash } : EMPTY_CHAIN;
    for (;;) {
      const batch = await this.repository.after(head.seq, VERIFY_BATCH);
      if (batch.length === 0)
        return {
          valid: true,
          records: head.seq - (anchor?.seq ?? 0),
          headSeq: head.seq,
          headHash: head.hash,
          ...(anchor ? { prunedThrough: anchor.seq } : {}),
        };
      const result = checkChain(batch.map(sealedOf), head);
      if ('broken' in result) {
        return {
          valid: false,
          records: head.seq - (anchor?.seq ?? 0),
          headSeq: head.seq,
          headHash: head.hash,
          firstBroken: result.broken,
        };
      }
      head = result.head;
    }
  }

  /**
   * The whole retained log as JSON Lines: the anchor when records were pruned, then records in
   * order, each checkpoint right after its record.
   */
  async *export(): AsyncGenerator<string> {
    const anchor = await this.repository.anchor();
    const after0 = anchor?.seq ?? 0;
    const checkpoints = (await this.repository.checkpoints()).filter((c) => c.seq > after0);
    if (anchor) yield `${JSON.stringify({ kind: 'anchor', ...anchor } satisfies AuditExportLine)}\n`;
    let after = after0;
    for (;;) {
      const batch = await this.repository.after(after, VERIFY_BATCH);
      if (batch.length === 0) break;
      for (const record of batch) {
        yield `${JSON.stringify({ kind: 'record', ...sealedOf(record) } satisfies AuditExportLine)}\n`;
        while (checkpoints.length > 0 && checkpoints[0].seq <= record.seq) {
          yield `${JSON.stringify({ kind: 'checkpoint', ...checkpoints.shift()! } satisfies AuditExportLine)}\n`;
        }
      }
      after = batch[batch.length - 1].seq;
    }
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
