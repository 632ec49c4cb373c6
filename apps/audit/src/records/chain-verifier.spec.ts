import {
  AuditAnchor,
  AuditCheckpoint,
  CHECKPOINT_JWS_TYPE,
  checkpointStatement,
  GENESIS_HASH,
  SealedRecord,
  sealRecord,
  unsealed,
} from '@zt/contracts';
import { CompactSign, generateKeyPair } from 'jose';
import { AuditRecordEntity } from './audit-record.entity';
import { exportChain } from './chain-export';
import { ChainReader, verifyChain } from './chain-verifier';

type Keys = Awaited<ReturnType<typeof generateKeyPair>>;

function sealed(seq: number, prevHash: string): SealedRecord {
  const record = {
    seq,
    eventId: `e${seq}`,
    eventTime: new Date(Date.UTC(2026, 10, 22, 10, 0, seq)).toISOString(),
    type: 'com.zt.policy.created',
    source: '/zt/policy-admin',
    actor: 'pat',
    subject: `p${seq}`,
    payload: { n: seq },
    prevHash,
  };
  return { ...record, hash: sealRecord(record) };
}

/** A table's content in memory, read the way the repository reads it. */
class Table implements ChainReader {
  records: SealedRecord[] = [];
  checkpoints: AuditCheckpoint[] = [];
  anchorRow?: AuditAnchor;

  constructor(private readonly keys: Keys) {}

  append(count: number): void {
    for (let i = 0; i < count; i++) {
      const last = this.records[this.records.length - 1];
      this.records.push(sealed((last?.seq ?? 0) + 1, last?.hash ?? GENESIS_HASH));
    }
  }

  async sign(seq: number): Promise<void> {
    const record = this.records.find((r) => r.seq === seq)!;
    const statement = {
      seq,
      headHash: record.hash,
      createdAt: new Date(Date.UTC(2026, 10, 22, 11)).toISOString(),
    };
    const jws = await new CompactSign(new TextEncoder().encode(checkpointStatement(statement)))
      .setProtectedHeader({ alg: 'ES256', typ: CHECKPOINT_JWS_TYPE })
      .sign(this.keys.privateKey);
    this.checkpoints.push({ ...statement, jws });
  }

  /** What someone with write access to the table can do: change a record and re-seal the rest. */
  alterAndReseal(seq: number): void {
    for (const record of this.records.filter((r) => r.seq >= seq)) {
      if (record.seq === seq) record.actor = 'mallory';
      else record.prevHash = this.records.find((r) => r.seq === record.seq - 1)!.hash;
      record.hash = sealRecord(unsealed(record));
    }
  }

  anchor(): Promise<AuditAnchor | undefined> {
    return Promise.resolve(this.anchorRow);
  }

  after(after: number, limit: number): Promise<AuditRecordEntity[]> {
    const rows = this.records.filter((r) => r.seq > after).slice(0, limit);
    return Promise.resolve(
      rows.map((r) => Object.assign(new AuditRecordEntity(), { ...r, eventTime: new Date(r.eventTime) })),
    );
  }

  checkpointsIn(after: number, through = Infinity): Promise<AuditCheckpoint[]> {
    return Promise.resolve(this.checkpoints.filter((c) => c.seq > after && c.seq <= through));
  }
}

describe('verifyChain', () => {
  let keys: Keys;
  let table: Table;
  beforeAll(async () => {
    keys = await generateKeyPair('ES256');
  });
  beforeEach(async () => {
    table = new Table(keys);
    table.append(14);
    await table.sign(4);
    await table.sign(8);
    await table.sign(12);
  });

  it('verifies records and checkpoints across pages and reports the unsigned tail', async () => {
    expect(await verifyChain(table, keys.publicKey, 3)).toEqual({
      valid: true,
      records: 14,
      headSeq: 14,
      headHash: table.records[13].hash,
      checkpoints: 3,
      signedThrough: 12,
      unsignedRecords: 2,
    });
  });

  it('finds record 10 altered and every later hash re-sealed, by the checkpoint signed after it', async () => {
    table.alterAndReseal(10);
    const verdict = await verifyChain(table, keys.publicKey, 5);
    expect(verdict).toMatchObject({
      valid: false,
      records: 11,
      headSeq: 11,
      signedThrough: 8,
      firstBroken: {
        seq: 12,
        reason: expect.stringMatching(
          /record 12 differs from the hash signed by checkpoint 12: a record from 9 to 12/,
        ),
        checkpoint: { seq: 12 },
      },
    });
  });

  it('counts the records verified before a break in the first page', async () => {
    table.records[4].payload = { n: 'changed' };
    expect(await verifyChain(table, keys.publicKey)).toMatchObject({
      valid: false,
      records: 4,
      headSeq: 4,
      headHash: table.records[3].hash,
      signedThrough: 4,
      firstBroken: { seq: 5, reason: expect.stringMatching(/altered/) },
    });
  });

  it('finds a tail removed after its checkpoint was signed', async () => {
    table.records.splice(10);
    expect(await verifyChain(table, keys.publicKey)).toMatchObject({
      valid: false,
      records: 10,
      firstBroken: { seq: 12, reason: expect.stringMatching(/signed record 12, which is missing/) },
    });
  });

  it('ends at the head it was asked to verify through, leaving records appended meanwhile to the next walk', async () => {
    // A reader whose chain grows by a page each time it is read: ingest outpacing the walk.
    const growing: ChainReader = {
      anchor: () => table.anchor(),
      checkpointsIn: (after, through) => table.checkpointsIn(after, through),
      after: (after, limit) => {
        table.append(limit);
        return table.after(after, limit);
      },
    };
    const verdict = await verifyChain(growing, keys.publicKey, 5, 14);
    expect(verdict).toMatchObject({ valid: true, records: 14, headSeq: 14, signedThrough: 12 });
    expect(table.records.length).toBeGreaterThan(14);
  });

  it('refuses checkpoints signed with another key', async () => {
    const stranger = await generateKeyPair('ES256');
    expect(await verifyChain(table, stranger.publicKey)).toMatchObject({
      valid: false,
      records: 4,
      signedThrough: 0,
      firstBroken: { seq: 4, reason: expect.stringMatching(/does not verify/) },
    });
  });
});

describe('exportChain', () => {
  it("stops at the record it is asked to end with, after that record's checkpoint", async () => {
    const keys = await generateKeyPair('ES256');
    const table = new Table(keys);
    table.append(7);
    await table.sign(3);
    await table.sign(5);
    const lines: { kind: string; seq: number }[] = [];
    for await (const line of exportChain(table, 5, 2))
      lines.push(JSON.parse(line) as { kind: string; seq: number });
    expect(lines.map((l) => `${l.kind} ${l.seq}`)).toEqual([
      'record 1',
      'record 2',
      'record 3',
      'checkpoint 3',
      'record 4',
      'record 5',
      'checkpoint 5',
    ]);
  });
});
