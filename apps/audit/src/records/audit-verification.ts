import { AuditRecordEntity } from './audit-record.entity';
import { GENESIS_HASH, SealableRecord, sealRecord } from './audit-chain';

/** The fields a record's hash covers, as stored. */
export function sealableOf(record: AuditRecordEntity): SealableRecord {
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
  };
}

/** Where a chain breaks: the record and what is wrong with it. */
export interface BrokenLink {
  seq: number;
  reason: string;
}

/**
 * Checks records in sequence order against the chain so far: consecutive sequence numbers,
 * each previous hash equal to the hash before it, each hash equal to the record's own seal.
 * Returns the first break, or the new head when the records are sound.
 */
export function checkChain(
  records: AuditRecordEntity[],
  head: { seq: number; hash: string },
): { broken: BrokenLink } | { head: { seq: number; hash: string } } {
  let { seq, hash } = head;
  for (const record of records) {
    if (record.seq !== seq + 1)
      return { broken: { seq: record.seq, reason: `sequence jumps from ${seq} to ${record.seq}` } };
    if (record.prevHash !== hash)
      return { broken: { seq: record.seq, reason: 'previous hash does not match the record before' } };
    if (sealRecord(sealableOf(record)) !== record.hash) {
      return { broken: { seq: record.seq, reason: 'hash does not match the record (altered)' } };
    }
    seq = record.seq;
    hash = record.hash;
  }
  return { head: { seq, hash } };
}

export const EMPTY_CHAIN = { seq: 0, hash: GENESIS_HASH };
