import type { SealedRecord } from '@zt/contracts';
import { BIGINT_AS_NUMBER } from '@zt/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One sealed audit record. Append-only: the database refuses UPDATE and DELETE on the table,
 * and each record's hash covers the previous record's hash, so a removed or altered record
 * breaks the chain.
 */
@Entity({ schema: 'audit', name: 'records' })
export class AuditRecordEntity {
  @PrimaryColumn('bigint', { transformer: BIGINT_AS_NUMBER })
  seq!: number;

  @Column('text', { name: 'event_id', unique: true })
  eventId!: string;

  @Column('timestamptz', { name: 'recorded_at' })
  recordedAt!: Date;

  @Column('timestamptz', { name: 'event_time' })
  eventTime!: Date;

  @Column('text')
  type!: string;

  @Column('text')
  source!: string;

  @Column('text')
  actor!: string;

  @Column('text', { name: 'subject', nullable: true })
  subject!: string | null;

  @Column('jsonb')
  payload!: Record<string, unknown>;

  @Column('text', { name: 'prev_hash' })
  prevHash!: string;

  @Column('text')
  hash!: string;
}

/** The record as sealed data (what the hash covers, plus the hash). */
export function sealedOf(record: AuditRecordEntity): SealedRecord {
  return {
    seq: record.seq,
    eventId: record.eventId,
    eventTime: record.eventTime.toISOString(),
    type: record.type,
    source: record.source,
    actor: record.actor,
    subject: record.subject,
    payload: record.payload,
    prevHash: record.prevHash,
    hash: record.hash,
  };
}
