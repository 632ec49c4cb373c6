import { Injectable } from '@nestjs/common';
import { insertable } from '@zt/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { AuditRecordEntity } from './audit-record.entity';
import { AuditAnchor, AuditCheckpoint, GENESIS_HASH, SealableRecord, sealRecord } from '@zt/contracts';

interface AnchorRow {
  through_seq: string;
  head_hash: string;
  checkpoint_created_at: Date;
  checkpoint_jws: string;
  records: string;
}

function anchorOf(row: AnchorRow): AuditAnchor {
  return {
    seq: Number(row.through_seq),
    headHash: row.head_hash,
    createdAt: row.checkpoint_created_at.toISOString(),
    jws: row.checkpoint_jws,
    prunedRecords: Number(row.records),
  };
}

// Names the lock that serializes appends: the chain needs one writer at a time.
const APPEND_LOCK_KEY = 7_290_002;

/** A record to append; seq, prevHash and hash are assigned here. */
export type NewAuditRecord = Omit<SealableRecord, 'seq' | 'prevHash'>;

/** Filters of the audit listing; `after` is the cursor (a sequence number). */
export interface AuditQuery {
  type?: string;
  actor?: string;
  subject?: string;
  policyId?: string;
  deviceId?: string;
  from?: Date;
  to?: Date;
  after?: number;
  limit: number;
}

/** Appends to and reads the hash-chained audit table. */
@Injectable()
export class AuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Appends and seals a record; returns false when the event id is already recorded. */
  append(record: NewAuditRecord): Promise<boolean> {
    return this.dataSource.transaction((manager) => this.appendWith(manager, record));
  }

  /**
   * Appends and seals a record inside the caller's transaction (which then holds the chain's
   * append lock until it ends); false when the event id is already recorded.
   */
  async appendWith(manager: EntityManager, record: NewAuditRecord): Promise<boolean> {
    await manager.query(`SELECT pg_advisory_xact_lock($1)`, [APPEND_LOCK_KEY]);
    const seen: unknown[] = await manager.query(`SELECT 1 FROM audit.records WHERE event_id = $1`, [
      record.eventId,
    ]);
    if (seen.length > 0) return false;
    const last: { seq: string; hash: string }[] = await manager.query(
      `SELECT seq, hash FROM audit.records ORDER BY seq DESC LIMIT 1`,
    );
    // After pruning everything, the chain continues from the anchor, not from genesis.
    const head = last[0] ?? (await this.anchorWith(manager));
    const sealable: SealableRecord = {
      ...record,
      seq: head ? Number(head.seq) + 1 : 1,
      prevHash: head ? head.hash : GENESIS_HASH,
    };
    await manager.insert(
      AuditRecordEntity,
      insertable({
        ...sealable,
        eventTime: new Date(sealable.eventTime),
        recordedAt: new Date(),
        payload: sealable.payload as Record<string, unknown>,
        hash: sealRecord(sealable),
      }),
    );
    return true;
  }

  /** The start of the retained chain: the latest anchor, or undefined when nothing was pruned. */
  async anchor(): Promise<AuditAnchor | undefined> {
    const rows: AnchorRow[] = await this.dataSource.query(
      `SELECT through_seq, head_hash, checkpoint_created_at, checkpoint_jws, records FROM audit.anchors
        ORDER BY through_seq DESC LIMIT 1`,
    );
    return rows[0] ? anchorOf(rows[0]) : undefined;
  }

  private async anchorWith(manager: EntityManager): Promise<{ seq: number; hash: string } | undefined> {
    const rows: { through_seq: string; head_hash: string }[] = await manager.query(
      `SELECT through_seq, head_hash FROM audit.anchors ORDER BY through_seq DESC LIMIT 1`,
    );
    return rows[0] ? { seq: Number(rows[0].through_seq), hash: rows[0].head_hash } : undefined;
  }

  /**
   * The newest signed checkpoint whose record was recorded before `cutoff` and that the SIEM
   * stream has already passed (pruning must not take records a SIEM has not received).
   */
  async prunableCheckpoint(cutoff: Date): Promise<number | undefined> {
    const rows: { seq: string }[] = await this.dataSource.query(
      `SELECT c.seq FROM audit.checkpoints c JOIN audit.records r ON r.seq = c.seq
        WHERE r.recorded_at < $1 AND c.seq <= (SELECT seq FROM audit.siem_cursor WHERE id = 1)
        ORDER BY c.seq DESC LIMIT 1`,
      [cutoff],
    );
    return rows[0] ? Number(rows[0].seq) : undefined;
  }

  /**
   * Removes the records up to a signed checkpoint and, in the same transaction, appends the
   * record that says so: the removal is never silent, and never happens without its record.
   */
  pruneThrough(seq: number, recordOf: (removed: number) => NewAuditRecord): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock($1)`, [APPEND_LOCK_KEY]);
      const rows: { removed: string }[] = await manager.query(`SELECT audit.prune_through($1) AS removed`, [
        seq,
      ]);
      const removed = Number(rows[0].removed);
      if (removed > 0) await this.appendWith(manager, recordOf(removed));
      return removed;
    });
  }

  /** Records after `after` in sequence order, at most `limit`. */
  after(after: number, limit: number): Promise<AuditRecordEntity[]> {
    return this.dataSource
      .getRepository(AuditRecordEntity)
      .createQueryBuilder('r')
      .where('r.seq > :after', { after })
      .orderBy('r.seq', 'ASC')
      .limit(limit)
      .getMany();
  }

  /**
   * The checkpoints after sequence `after` and up to `through` (all after it when absent),
   * oldest first: read a page at a time, beside the records they cover.
   */
  async checkpointsIn(after: number, through?: number): Promise<AuditCheckpoint[]> {
    const rows: { seq: string; head_hash: string; created_at: Date; jws: string }[] =
      await this.dataSource.query(
        `SELECT seq, head_hash, created_at, jws FROM audit.checkpoints
          WHERE seq > $1 AND ($2::bigint IS NULL OR seq <= $2) ORDER BY seq`,
        [after, through ?? null],
      );
    return rows.map((r) => ({
      seq: Number(r.seq),
      headHash: r.head_hash,
      createdAt: r.created_at.toISOString(),
      jws: r.jws,
    }));
  }

  list(query: AuditQuery): Promise<AuditRecordEntity[]> {
    const qb = this.dataSource
      .getRepository(AuditRecordEntity)
      .createQueryBuilder('r')
      .orderBy('r.seq', 'ASC')
      .limit(query.limit);
    if (query.type !== undefined) qb.andWhere('r.type = :type', { type: query.type });
    if (query.after !== undefined) qb.andWhere('r.seq > :after', { after: query.after });
    if (query.actor !== undefined) qb.andWhere('r.actor = :actor', { actor: query.actor });
    if (query.subject !== undefined) qb.andWhere('r.subject = :subject', { subject: query.subject });
    if (query.policyId !== undefined)
      qb.andWhere(`r.payload->>'policyId' = :policyId`, { policyId: query.policyId });
    if (query.deviceId !== undefined) {
      qb.andWhere(`(r.payload->>'device_id' = :deviceId OR r.payload->>'deviceId' = :deviceId)`, {
        deviceId: query.deviceId,
      });
    }
    if (query.from !== undefined) qb.andWhere('r.event_time >= :from', { from: query.from });
    if (query.to !== undefined) qb.andWhere('r.event_time < :to', { to: query.to });
    return qb.getMany();
  }
}
