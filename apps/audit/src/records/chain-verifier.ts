import { AuditAnchor, AuditCheckpoint, BrokenLink, ChainVerification, CheckpointKey } from '@zt/contracts';
import { AuditRecordEntity, sealedOf } from './audit-record.entity';

/** The reads verifying and exporting need: the read side of the audit repository. */
export interface ChainReader {
  anchor(): Promise<AuditAnchor | undefined>;
  after(after: number, limit: number): Promise<AuditRecordEntity[]>;
  checkpointsIn(after: number, through?: number): Promise<AuditCheckpoint[]>;
}

/** The answer of `GET /audit/verify`. */
export interface ChainVerdict {
  valid: boolean;
  /** Records verified (after the anchor when pruned): before the first break when there is one. */
  records: number;
  /** The last verified record. */
  headSeq: number;
  headHash: string;
  /** Signed checkpoints verified against the audit key and the record they name. */
  checkpoints: number;
  /** The sequence through which a verified signature covers the chain (0: none yet). */
  signedThrough: number;
  /** Verified records after `signedThrough`: the tail no signature covers yet. */
  unsignedRecords: number;
  prunedThrough?: number;
  firstBroken?: BrokenLink;
}

const PAGE = 1000;

/**
 * Walks the retained chain a page at a time: each record's link and seal, and each signed
 * checkpoint's signature and hash against the record at its sequence, so a chain altered and
 * re-sealed in the database still breaks at the first checkpoint signed after the change.
 *
 * The walk ends at record `through` (the head when it was asked for): records appended while it
 * runs are left to the next walk, so a verification ends even when ingest outpaces it.
 */
export async function verifyChain(
  reader: ChainReader,
  key: CheckpointKey,
  page = PAGE,
  through = Infinity,
): Promise<ChainVerdict> {
  const verification = new ChainVerification(key);
  const anchor = await reader.anchor();
  const verdict = (firstBroken?: BrokenLink): ChainVerdict => ({
    valid: firstBroken === undefined,
    records: verification.records,
    headSeq: verification.head.seq,
    headHash: verification.head.hash,
    checkpoints: verification.checkpoints,
    signedThrough: verification.signedThrough,
    unsignedRecords: verification.unsignedRecords,
    ...(anchor ? { prunedThrough: anchor.seq } : {}),
    ...(firstBroken ? { firstBroken } : {}),
  });
  if (anchor) {
    const broken = await verification.anchor(anchor);
    if (broken) return verdict(broken);
  }
  for (;;) {
    const after = verification.head.seq;
    const batch = (await reader.after(after, page)).filter((record) => record.seq <= through);
    if (batch.length === 0) {
      // A checkpoint past the last record signed records that are gone: a cut tail.
      const [beyond] = await reader.checkpointsIn(after);
      if (!beyond) return verdict();
      // Records after this one were appended since the walk began; the next walk covers them.
      if ((await reader.after(after, 1)).length > 0) return verdict();
      return verdict(await verification.checkpoint(beyond));
    }
    const checkpoints = await reader.checkpointsIn(after, batch[batch.length - 1].seq);
    for (const record of batch) {
      const broken = verification.record(sealedOf(record));
      if (broken) return verdict(broken);
      while (checkpoints.length > 0 && checkpoints[0].seq <= record.seq) {
        const mismatch = await verification.checkpoint(checkpoints.shift()!);
        if (mismatch) return verdict(mismatch);
      }
    }
  }
}
