import { GENESIS_HASH, SealableRecord, sealRecord } from './audit-seal';

/** An audit record with its seal, as stored, exported and streamed. */
export type SealedRecord = SealableRecord & { hash: string };

/** Where a chain breaks: the record and what is wrong with it. */
export interface BrokenLink {
  seq: number;
  reason: string;
}

/** The head of a verified chain: its last sequence number and hash. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** The head of an empty chain. */
export const EMPTY_CHAIN: ChainHead = { seq: 0, hash: GENESIS_HASH };

/** The record without its seal: exactly the fields the seal covers. */
export function unsealed(record: SealedRecord): SealableRecord {
  const { seq, eventId, eventTime, type, source, actor, subject, payload, prevHash } = record;
  return { seq, eventId, eventTime, type, source, actor, subject, payload, prevHash };
}

/**
 * Checks records in sequence order against the chain so far: consecutive sequence numbers,
 * each previous hash equal to the hash before it, each hash equal to the record's own seal.
 * Returns the first break, or the new head when the records are sound. Used by the audit
 * service and by `ztctl audit verify` offline, so both judge a chain the same way.
 */
export function checkChain(
  records: Iterable<SealedRecord>,
  head: ChainHead,
): { broken: BrokenLink } | { head: ChainHead } {
  let { seq, hash } = head;
  for (const record of records) {
    if (record.seq !== seq + 1)
      return { broken: { seq: record.seq, reason: `sequence jumps from ${seq} to ${record.seq}` } };
    if (record.prevHash !== hash)
      return { broken: { seq: record.seq, reason: 'previous hash does not match the record before' } };
    if (sealRecord(unsealed(record)) !== record.hash) {
      return { broken: { seq: record.seq, reason: 'hash does not match the record (altered)' } };
    }
    seq = record.seq;
    hash = record.hash;
  }
  return { head: { seq, hash } };
}

/** A signed statement that the chain had this head: verifiable offline with the audit public key. */
export interface AuditCheckpoint {
  seq: number;
  headHash: string;
  createdAt: string;
  /** Compact JWS (ES256) whose payload is the canonical JSON of `{ createdAt, headHash, seq }`. */
  jws: string;
}

/**
 * Where a pruned chain starts: the signed checkpoint of the last removed record. Its head hash
 * is the previous hash of the first retained record, and its signature proves that head.
 */
export type AuditAnchor = AuditCheckpoint & {
  /** How many records that pruning removed. */
  prunedRecords: number;
};

/**
 * One line of an audit export (JSON Lines): the anchor first when records were pruned, then each
 * sealed record, each checkpoint right after the record it covers.
 */
export type AuditExportLine =
  | ({ kind: 'record' } & SealedRecord)
  | ({ kind: 'checkpoint' } & AuditCheckpoint)
  | ({ kind: 'anchor' } & AuditAnchor);
