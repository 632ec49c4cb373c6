import { GENESIS_HASH, SealableRecord, sealRecord } from '@zt/contracts';

/** A record to append: seq and prevHash are given when it is chained. */
export type NewAuditRecord = Omit<SealableRecord, 'seq' | 'prevHash'>;

/** The last record of the chain (or the anchor it continues from): where the next record links. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** A record with its place in the chain and its seal, ready to insert. */
export interface SealedBatchRecord extends SealableRecord {
  hash: string;
}

/**
 * The records of a batch that are new: not already in the chain (`recorded`, by event id) and
 * not an earlier record of the same batch, in batch order. At-least-once delivery hands the same
 * event over again, and one message may carry a decision twice; each fact is recorded once.
 */
export function newRecordsOf(records: NewAuditRecord[], recorded: ReadonlySet<string>): NewAuditRecord[] {
  const seen = new Set(recorded);
  const fresh: NewAuditRecord[] = [];
  for (const record of records) {
    if (seen.has(record.eventId)) continue;
    seen.add(record.eventId);
    fresh.push(record);
  }
  return fresh;
}

/**
 * Chains a batch after `head` (genesis when the chain is empty) in memory: each record gets the
 * next sequence number, the previous record's hash and its own seal, exactly as if the records
 * had been appended one by one. The batch then goes to the database in one insert.
 */
export function sealBatch(head: ChainHead | undefined, records: NewAuditRecord[]): SealedBatchRecord[] {
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? GENESIS_HASH;
  return records.map((record) => {
    seq += 1;
    const sealable: SealableRecord = { ...record, seq, prevHash };
    const hash = sealRecord(sealable);
    prevHash = hash;
    return { ...sealable, hash };
  });
}
