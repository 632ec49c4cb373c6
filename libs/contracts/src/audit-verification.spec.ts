import { CompactSign, generateKeyPair } from 'jose';
import { GENESIS_HASH, sealRecord } from './audit-seal';
import {
  AuditCheckpoint,
  ChainVerification,
  CHECKPOINT_JWS_TYPE,
  checkChain,
  checkpointStatement,
  EMPTY_CHAIN,
  SealedRecord,
  unsealed,
} from './audit-verification';

function chain(length: number): SealedRecord[] {
  const records: SealedRecord[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq++) {
    const record: SealedRecord = {
      seq,
      eventId: `e${seq}`,
      eventTime: new Date(Date.UTC(2026, 10, 22, 10, 0, seq)).toISOString(),
      type: 'com.zt.decision.made',
      source: '/zt/decision',
      actor: 'alice',
      subject: `d${seq}`,
      payload: { decision: 'allow', n: seq },
      prevHash,
      hash: '',
    };
    record.hash = sealRecord(unsealed(record));
    prevHash = record.hash;
    records.push(record);
  }
  return records;
}

describe('checkChain', () => {
  it('accepts an intact chain and returns its head', () => {
    const records = chain(5);
    expect(checkChain(records, EMPTY_CHAIN)).toEqual({ head: { seq: 5, hash: records[4].hash } });
  });

  it('names an altered record', () => {
    const records = chain(5);
    records[2].payload = { decision: 'deny', n: 3 };
    expect(checkChain(records, EMPTY_CHAIN)).toEqual({
      broken: { seq: 3, reason: expect.stringMatching(/altered/) },
      head: { seq: 2, hash: records[1].hash },
    });
  });

  it('names a removed record by the gap it leaves', () => {
    const records = chain(5);
    records.splice(1, 1);
    expect(checkChain(records, EMPTY_CHAIN)).toEqual({
      broken: { seq: 3, reason: 'sequence jumps from 1 to 3' },
      head: { seq: 1, hash: records[0].hash },
    });
  });

  it('names a record re-sealed after its predecessor changed', () => {
    const records = chain(3);
    records[0].actor = 'mallory';
    records[0].hash = sealRecord(unsealed(records[0]));
    expect(checkChain(records, EMPTY_CHAIN)).toEqual({
      broken: { seq: 2, reason: expect.stringMatching(/previous hash/) },
      head: { seq: 1, hash: expect.any(String) },
    });
  });
});

/** Re-seals every record from `from` on, as someone with write access to the table could. */
function reseal(records: SealedRecord[], from: number): void {
  for (const record of records.slice(from - 1)) {
    record.prevHash = record.seq === 1 ? GENESIS_HASH : records[record.seq - 2].hash;
    record.hash = sealRecord(unsealed(record));
  }
}

describe('ChainVerification', () => {
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  beforeAll(async () => {
    keys = await generateKeyPair('ES256');
  });

  async function sign(record: SealedRecord, typ = CHECKPOINT_JWS_TYPE): Promise<AuditCheckpoint> {
    const statement = { seq: record.seq, headHash: record.hash, createdAt: '2026-11-22T10:00:00.000Z' };
    const jws = await new CompactSign(new TextEncoder().encode(checkpointStatement(statement)))
      .setProtectedHeader({ alg: 'ES256', typ })
      .sign(keys.privateKey);
    return { ...statement, jws };
  }

  /** Walks records 1..n with the checkpoints after their records; returns the first break. */
  async function walk(
    verification: ChainVerification,
    records: SealedRecord[],
    checkpoints: AuditCheckpoint[],
  ): Promise<unknown> {
    for (const record of records) {
      const broken = verification.record(record);
      if (broken) return broken;
      for (const checkpoint of checkpoints.filter((c) => c.seq === record.seq)) {
        const bad = await verification.checkpoint(checkpoint);
        if (bad) return bad;
      }
    }
    for (const checkpoint of checkpoints.filter((c) => c.seq > records.length)) {
      const bad = await verification.checkpoint(checkpoint);
      if (bad) return bad;
    }
    return undefined;
  }

  it('verifies records and checkpoints and reports the tail no signature covers', async () => {
    const records = chain(12);
    const verification = new ChainVerification(keys.publicKey);
    expect(
      await walk(verification, records, [await sign(records[3]), await sign(records[7])]),
    ).toBeUndefined();
    expect(verification).toMatchObject({ records: 12, signedThrough: 8, unsignedRecords: 4, checkpoints: 2 });
    expect(verification.head).toEqual({ seq: 12, hash: records[11].hash });
  });

  it('names the checkpoint that a re-sealed chain contradicts, and counts only the records before it', async () => {
    const records = chain(12);
    const checkpoints = [await sign(records[3]), await sign(records[7]), await sign(records[11])];
    records[5].actor = 'mallory';
    reseal(records, 6);
    const verification = new ChainVerification(keys.publicKey);
    expect(await walk(verification, records, checkpoints)).toEqual({
      seq: 8,
      reason: expect.stringMatching(
        /record 8 differs from the hash signed by checkpoint 8: a record from 5 to 8/,
      ),
      checkpoint: { seq: 8, createdAt: checkpoints[1].createdAt },
    });
    expect(verification).toMatchObject({ records: 7, signedThrough: 4 });
  });

  it('refuses a checkpoint signed by another key, of another type, or stating something else', async () => {
    const records = chain(2);
    const stranger = await generateKeyPair('ES256');
    const good = await sign(records[1]);
    const cases: [AuditCheckpoint, RegExp][] = [
      [good, /does not verify/],
      [await sign(records[1], 'JWT'), /not a checkpoint signature/],
      [{ ...good, createdAt: '2030-01-01T00:00:00.000Z' }, /signed statement differs/],
    ];
    for (const [index, [checkpoint, reason]] of cases.entries()) {
      const verification = new ChainVerification(index === 0 ? stranger.publicKey : keys.publicKey);
      expect(await walk(verification, records, [checkpoint])).toMatchObject({ seq: 2, reason });
      expect(verification.signedThrough).toBe(0);
    }
  });

  it('names a checkpoint whose record was removed from the end', async () => {
    const records = chain(6);
    const checkpoints = [await sign(records[1]), await sign(records[5])];
    const verification = new ChainVerification(keys.publicKey);
    expect(await walk(verification, records.slice(0, 4), checkpoints)).toMatchObject({
      seq: 6,
      reason: expect.stringMatching(/signed record 6, which is missing/),
    });
  });

  it('starts a pruned chain at a signed anchor and refuses an unsigned one', async () => {
    const records = chain(5);
    const anchor = { ...(await sign(records[2])), prunedRecords: 3 };
    const verification = new ChainVerification(keys.publicKey);
    expect(await verification.anchor(anchor)).toBeUndefined();
    expect(await walk(verification, records.slice(3), [])).toBeUndefined();
    expect(verification).toMatchObject({ records: 2, signedThrough: 3, unsignedRecords: 2 });
    const forged = new ChainVerification(keys.publicKey);
    expect(await forged.anchor({ ...anchor, headHash: records[3].hash })).toMatchObject({
      seq: 3,
      reason: expect.stringMatching(/anchor 3: the signed statement differs/),
    });
  });
});
