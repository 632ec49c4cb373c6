import { Injectable } from '@nestjs/common';
import { insertable } from '@zt/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { AuditRecordEntity } from './audit-record.entity';
import { AuditAnchor, AuditCheckpoint, GENESIS_HASH, SealableRecord, sealRecord } from '@zt/contracts';
import { ChainHead, NewAuditRecord, newRecordsOf, SealedBatchRecord, sealBatch } from './chain-batch';

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

export type { NewAuditRecord };

// One statement for the whole batch: a column per array, so the statement has 11 parameters
// whatever the number of rows (a VALUES list would hit the 65,535 bind parameters limit).
const INSERT_BATCH = `
  INSERT INTO audit.records
    (seq, event_id, recorded_at, event_time, type, source, actor, subject, payload, prev_hash, hash)
  SELECT seq, event_id, $3::timestamptz, event_time, type, source, actor, subject, payload::jsonb, prev_hash, hash
    FROM unnest($1::bigint[], $2::text[], $4::timestamptz[], $5::text[], $6::text[], $7::text[],
                $8::text[], $9::text[], $10::text[], $11::text[])
      AS r(seq, event_id, event_time, type, source, actor, subject, payload, prev_hash, hash)`;

function insertParameters(rows: SealedBatchRecord[], recordedAt: Date): unknown[] {
  const column = <T>(pick: (row: SealedBatchRecord) => T): T[] => rows.map(pick);
  return [
    column((r) => r.seq),
    column((r) => r.eventId),
    recordedAt,
    column((r) => r.eventTime),
    column((r) => r.type),
    column((r) => r.source),
    column((r) => r.actor),
    column((r) => r.subject),
    // The same serialization TypeORM gives a jsonb column on the one-record path.
    column((r) => JSON.stringify(r.payload)),
    column((r) => r.prevHash),
    column((r) => r.hash),
  ];
}

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
   * Appends and seals a batch of records in one transaction, chained in memory and inserted in
   * one statement, skipping those already recorded (by event id); returns how many are new. All
   * or nothing: a failure stores none of the batch.
   */
  appendBatch(records: NewAuditRecord[]): Promise<number> {
    if (records.length === 0) return Promise.resolve(0);
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock($1)`, [APPEND_LOCK_KEY]);
      const seen: { event_id: string }[] = await manager.query(
        `SELECT event_id FROM audit.records WHERE event_id = ANY($1::text[])`,
        [records.map((r) => r.eventId)],
      );
      const fresh = newRecordsOf(records, new Set(seen.map((r) => r.event_id)));
      if (fresh.length === 0) return 0;
      const sealed = sealBatch(await this.headWith(manager), fresh);
      await manager.query(INSERT_BATCH, insertParameters(sealed, new Date()));
      return sealed.length;
    });
  }

  /** The last record; after pruning everything, the anchor the chain continues from (not genesis). */
  private async headWith(manager: EntityManager): Promise<ChainHead | undefined> {
    const last: { seq: string; hash: string }[] = await manager.query(
      `SELECT seq, hash FROM audit.records ORDER BY seq DESC LIMIT 1`,
    );
    if (last[0]) return { seq: Number(last[0].seq), hash: last[0].hash };
    return this.anchorWith(manager);
  }

  /** The sequence number of the last record (0 when there is none). */
  async headSeq(): Promise<number> {
    const rows: { seq: string | null }[] = await this.dataSource.query(
      `SELECT max(seq) AS seq FROM audit.records`,
    );
    return Number(rows[0]?.seq ?? 0);
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
    const head = await this.headWith(manager);
    const sealable: SealableRecord = {
      ...record,
      seq: head ? head.seq + 1 : 1,
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
