import { SealableRecord, sealRecord } from '@zt/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { call, eventually } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

interface Verdict {
  valid: boolean;
  records: number;
  headSeq: number;
  signedThrough: number;
  unsignedRecords: number;
  checkpoints: number;
  firstBroken?: { seq: number; reason: string; checkpoint?: { seq: number; createdAt: string } };
}

interface Row {
  seq: string;
  event_id: string;
  event_time: Date;
  type: string;
  source: string;
  actor: string;
  subject: string | null;
  payload: unknown;
  hash: string;
}

/**
 * What someone with owner rights on the database can do: switch off the append-only trigger,
 * change record `seq` and, when `reseal`, recompute every later hash with the service's own seal
 * function, so each record's link and seal hold again.
 */
async function tamper(db: DataSource, seq: number, reseal: boolean): Promise<void> {
  await db.transaction(async (manager: EntityManager) => {
    await manager.query(`ALTER TABLE audit.records DISABLE TRIGGER records_append_only`);
    const [before]: { hash: string }[] = await manager.query(
      `SELECT hash FROM audit.records WHERE seq = $1`,
      [seq - 1],
    );
    const rows: Row[] = await manager.query(
      `SELECT seq, event_id, event_time, type, source, actor, subject, payload, hash FROM audit.records
        WHERE seq >= $1 ORDER BY seq`,
      [seq],
    );
    let prevHash = before.hash;
    for (const row of reseal ? rows : rows.slice(0, 1)) {
      const record: SealableRecord = {
        seq: Number(row.seq),
        eventId: row.event_id,
        eventTime: row.event_time.toISOString(),
        type: row.type,
        source: row.source,
        actor: Number(row.seq) === seq ? 'mallory@evil.example' : row.actor,
        subject: row.subject,
        payload: row.payload,
        prevHash,
      };
      const hash = reseal ? sealRecord(record) : row.hash;
      await manager.query(`UPDATE audit.records SET actor = $1, prev_hash = $2, hash = $3 WHERE seq = $4`, [
        record.actor,
        prevHash,
        hash,
        record.seq,
      ]);
      prevHash = hash;
    }
    await manager.query(`ALTER TABLE audit.records ENABLE TRIGGER records_append_only`);
  });
}

describe('audit verification against someone with database access (standalone)', () => {
  let product: StandaloneUnderTest;
  let auditor: string;
  let db: DataSource;
  /** The first signed checkpoint at or after record 10: the one a change of record 10 contradicts. */
  let covering: number;

  const verify = async (): Promise<Verdict> =>
    (await call<Verdict>(product.url, 'GET', '/v1/zt-policy/audit/verify', { token: auditor })).body;

  /** Exports the log (each export signs a checkpoint over its last record) and parses the lines. */
  async function exportLines(): Promise<{ kind: string; seq: number; hash?: string; headHash?: string }[]> {
    const response = await fetch(`${product.url}/v1/zt-policy/audit/export`, {
      headers: { authorization: `Bearer ${auditor}` },
    });
    return (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; seq: number; hash?: string; headHash?: string });
  }

  async function createPolicies(admin: string, from: number, count: number): Promise<void> {
    for (let i = from; i < from + count; i++) {
      await call(product.url, 'POST', '/v1/zt-policy/policies', {
        token: admin,
        body: { name: `t${i}`, subjects: ['*'], resources: [`t${i}`], actions: ['read'], effect: 'allow' },
      });
    }
    await eventually(
      async () => {
        const rows: { seq: string | null }[] = await db.query(`SELECT max(seq) AS seq FROM audit.records`);
        return Number(rows[0].seq) >= from + count ? true : undefined;
      },
      20_000,
      `${from + count} audit records`,
    );
  }

  let lastExport: Awaited<ReturnType<typeof exportLines>>;

  beforeAll(async () => {
    // No checkpoint by count or time: the only signatures are those the exports make, so the
    // test knows where they are.
    product = await startStandaloneForTest({
      AUDIT_CHECKPOINT_EVERY: '100000',
      AUDIT_CHECKPOINT_SECONDS: '3600',
    });
    db = product.process.app.get(DataSource);
    auditor = await product.issuer.mint({ sub: 'audra@company.com', roles: ['auditor'] });
    const admin = await product.issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] });
    await createPolicies(admin, 0, 6);
    await exportLines();
    await createPolicies(admin, 6, 8);
    lastExport = await exportLines();
    const rows: { seq: string | null }[] = await db.query(
      `SELECT min(seq) AS seq FROM audit.checkpoints WHERE seq >= 10`,
    );
    covering = Number(rows[0].seq);
  });

  afterAll(async () => {
    await product?.stop();
  });

  it('ends every export with a signed checkpoint over its last record', () => {
    const records = lastExport.filter((line) => line.kind === 'record');
    const last = records[records.length - 1];
    expect(lastExport[lastExport.length - 1]).toMatchObject({
      kind: 'checkpoint',
      seq: last.seq,
      headHash: last.hash,
    });
    expect(lastExport.filter((line) => line.kind === 'checkpoint')).toHaveLength(2);
    expect(covering).toBeGreaterThanOrEqual(14);
  });

  it('verifies the untouched chain with its signed checkpoints', async () => {
    const verdict = await verify();
    expect(verdict).toMatchObject({ valid: true });
    expect(verdict.checkpoints).toBeGreaterThan(0);
    expect(verdict.signedThrough).toBeGreaterThanOrEqual(covering);
    expect(verdict.unsignedRecords).toBe(verdict.headSeq - verdict.signedThrough);
  });

  it('finds record 10 altered and every later hash re-sealed, by the checkpoint signed after it', async () => {
    await tamper(db, 10, true);
    const verdict = await verify();
    expect(verdict).toMatchObject({
      valid: false,
      records: covering - 1,
      headSeq: covering - 1,
      firstBroken: {
        seq: covering,
        reason: expect.stringMatching(new RegExp(`differs from the hash signed by checkpoint ${covering}`)),
        checkpoint: { seq: covering },
      },
    });
    expect(verdict.signedThrough).toBeLessThan(10);
  });

  it('counts the records it verified before a break in its first page', async () => {
    await tamper(db, 5, false);
    expect(await verify()).toMatchObject({
      valid: false,
      records: 4,
      headSeq: 4,
      firstBroken: { seq: 5, reason: expect.stringMatching(/altered/) },
    });
  });
});
