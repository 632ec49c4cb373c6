import { Injectable } from '@nestjs/common';
import { insertable } from '@zt/persistence';
import { DataSource } from 'typeorm';
import { AuditRecordEntity } from './audit-record.entity';
import { AuditCheckpoint, GENESIS_HASH, SealableRecord, sealRecord } from '@zt/contracts';

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
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock($1)`, [APPEND_LOCK_KEY]);
      const seen: unknown[] = await manager.query(`SELECT 1 FROM audit.records WHERE event_id = $1`, [
        record.eventId,
      ]);
      if (seen.length > 0) return false;
      const last: { seq: string; hash: string }[] = await manager.query(
        `SELECT seq, hash FROM audit.records ORDER BY seq DESC LIMIT 1`,
      );
      const sealable: SealableRecord = {
        ...record,
        seq: last.length > 0 ? Number(last[0].seq) + 1 : 1,
        prevHash: last.length > 0 ? last[0].hash : GENESIS_HASH,
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

  /** Every checkpoint, oldest first (there are few: one per thousand records or minute). */
  async checkpoints(): Promise<AuditCheckpoint[]> {
    const rows: { seq: string; head_hash: string; created_at: Date; jws: string }[] =
      await this.dataSource.query(
        `SELECT seq, head_hash, created_at, jws FROM audit.checkpoints ORDER BY seq`,
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
