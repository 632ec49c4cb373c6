import { compactVerify } from 'jose';
import { GENESIS_HASH, SealableRecord, sealRecord } from './audit-seal';
import { canonicalJson } from './canonical-json';

/** An audit record with its seal, as stored, exported and streamed. */
export type SealedRecord = SealableRecord & { hash: string };

/** Where a chain breaks: the record and what is wrong with it. */
export interface BrokenLink {
  seq: number;
  reason: string;
  /** Present when a signed checkpoint (or anchor) exposed the break: the one that did. */
  checkpoint?: { seq: number; createdAt: string };
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
 * Returns the first break with the last sound head before it, or the new head when the records
 * are sound. Used by the audit service and by `ztctl audit verify` offline, so both judge a
 * chain the same way.
 */
export function checkChain(
  records: Iterable<SealedRecord>,
  head: ChainHead,
): { broken: BrokenLink; head: ChainHead } | { head: ChainHead } {
  let { seq, hash } = head;
  for (const record of records) {
    const sound = { seq, hash };
    if (record.seq !== seq + 1)
      return {
        broken: { seq: record.seq, reason: `sequence jumps from ${seq} to ${record.seq}` },
        head: sound,
      };
    if (record.prevHash !== hash)
      return {
        broken: { seq: record.seq, reason: 'previous hash does not match the record before' },
        head: sound,
      };
    if (sealRecord(unsealed(record)) !== record.hash) {
      return { broken: { seq: record.seq, reason: 'hash does not match the record (altered)' }, head: sound };
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

/** What verifies checkpoint signatures: a public key, or a key set as `createLocalJWKSet` makes it. */
export type CheckpointKey = Parameters<typeof compactVerify>[1];

/** The JWS `typ` of a checkpoint, so no other object signed with the key passes for one. */
export const CHECKPOINT_JWS_TYPE = 'zt-audit-checkpoint+jws';

/** The exact text a checkpoint's JWS signs: the canonical JSON of `{ createdAt, headHash, seq }`. */
export function checkpointStatement(
  checkpoint: Pick<AuditCheckpoint, 'seq' | 'headHash' | 'createdAt'>,
): string {
  const { seq, headHash, createdAt } = checkpoint;
  return canonicalJson({ seq, headHash, createdAt });
}

/** Why a checkpoint's (or anchor's) signature does not prove what it states; undefined when it does. */
export async function checkpointSignatureProblem(
  checkpoint: AuditCheckpoint,
  key: CheckpointKey,
): Promise<string | undefined> {
  let verified: Awaited<ReturnType<typeof compactVerify>>;
  try {
    verified = await compactVerify(checkpoint.jws, key, { algorithms: ['ES256'] });
  } catch {
    return 'the signature does not verify with the audit key';
  }
  if (verified.protectedHeader.typ !== CHECKPOINT_JWS_TYPE)
    return 'the signature is not a checkpoint signature';
  if (new TextDecoder().decode(verified.payload) !== checkpointStatement(checkpoint))
    return 'the signed statement differs from the checkpoint';
  return undefined;
}

/**
 * One walk over a chain in export order (anchor, then records, each checkpoint right after the
 * record it covers), judged the same way online (`GET /audit/verify`) and offline (`ztctl audit
 * verify`). Besides each record's link and seal, every checkpoint must carry a valid signature
 * and name exactly the hash of the record at its sequence: a chain altered and re-sealed by
 * someone with database access still contradicts the checkpoints signed before.
 */
export class ChainVerification {
  private current: ChainHead = EMPTY_CHAIN;
  private before: ChainHead = EMPTY_CHAIN;
  private start = 0;
  private signed = 0;
  private verifiedCheckpoints = 0;

  constructor(private readonly key: CheckpointKey) {}

  /** The last record verified. */
  get head(): ChainHead {
    return this.current;
  }

  /** How many records after the anchor (or genesis) were verified. */
  get records(): number {
    return this.current.seq - this.start;
  }

  /** The sequence through which a verified signature covers the chain (0: none does). */
  get signedThrough(): number {
    return this.signed;
  }

  /** How many verified records no signature covers yet: the tail after the last checkpoint. */
  get unsignedRecords(): number {
    return this.current.seq - this.signed;
  }

  /** How many signed checkpoints were verified (the anchor not included). */
  get checkpoints(): number {
    return this.verifiedCheckpoints;
  }

  /** Starts the chain at a pruned log's anchor: its signature proves the head it names. */
  async anchor(anchor: AuditAnchor): Promise<BrokenLink | undefined> {
    const at = { seq: anchor.seq, createdAt: anchor.createdAt };
    if (this.current !== EMPTY_CHAIN)
      return {
        seq: anchor.seq,
        reason: `anchor ${anchor.seq} comes after record ${this.current.seq}: an anchor may only start the chain`,
        checkpoint: at,
      };
    const problem = await checkpointSignatureProblem(anchor, this.key);
    if (problem) return { seq: anchor.seq, reason: `anchor ${anchor.seq}: ${problem}`, checkpoint: at };
    this.current = { seq: anchor.seq, hash: anchor.headHash };
    this.before = this.current;
    this.start = anchor.seq;
    this.signed = anchor.seq;
    return undefined;
  }

  /** The next record: it must continue the chain and match its own seal. Stop at the first break. */
  record(record: SealedRecord): BrokenLink | undefined {
    const result = checkChain([record], this.current);
    if ('broken' in result) return result.broken;
    this.before = this.current;
    this.current = result.head;
    return undefined;
  }

  /**
   * A checkpoint, right after the record it covers: its signature must verify and the hash it
   * signed must be that record's. On a mismatch the head steps back before that record, so
   * `records` counts only what was verified before the break.
   */
  async checkpoint(checkpoint: AuditCheckpoint): Promise<BrokenLink | undefined> {
    const at = { seq: checkpoint.seq, createdAt: checkpoint.createdAt };
    const problem = await checkpointSignatureProblem(checkpoint, this.key);
    if (problem)
      return { seq: checkpoint.seq, reason: `checkpoint ${checkpoint.seq}: ${problem}`, checkpoint: at };
    if (checkpoint.seq > this.current.seq) {
      return {
        seq: checkpoint.seq,
        reason: `checkpoint ${checkpoint.seq} signed record ${checkpoint.seq}, which is missing (records after ${this.current.seq} were removed)`,
        checkpoint: at,
      };
    }
    if (checkpoint.seq < this.current.seq) {
      return {
        seq: checkpoint.seq,
        reason: `checkpoint ${checkpoint.seq} comes after record ${this.current.seq}, not after the record it covers`,
        checkpoint: at,
      };
    }
    if (checkpoint.headHash !== this.current.hash) {
      const broken = {
        seq: checkpoint.seq,
        reason:
          `record ${checkpoint.seq} differs from the hash signed by checkpoint ${checkpoint.seq}: ` +
          `a record from ${this.signed + 1} to ${checkpoint.seq} was altered and the chain re-sealed`,
        checkpoint: at,
      };
      this.current = this.before;
      return broken;
    }
    this.signed = checkpoint.seq;
    this.verifiedCheckpoints += 1;
    return undefined;
  }
}
