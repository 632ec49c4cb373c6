import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditCommand } from '../../apps/ztctl/src/audit-verify.command';
import { call, eventually } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

type Record = { seq: number; type: string; payload: { throughSeq?: number; removedRecords?: number } };

describe('audit retention (standalone): never silent, still verifiable', () => {
  let product: StandaloneUnderTest;
  let auditor: string;
  const dir = mkdtempSync(join(tmpdir(), 'zt-retention-'));

  beforeAll(async () => {
    product = await startStandaloneForTest({
      AUDIT_RETENTION_SECONDS: '1',
      AUDIT_RETENTION_CHECK_SECONDS: '1',
      AUDIT_CHECKPOINT_EVERY: '2',
      AUDIT_CHECKPOINT_SECONDS: '1',
    });
    auditor = await product.issuer.mint({ sub: 'audra@company.com', roles: ['auditor'] });
    const admin = await product.issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] });
    for (let i = 0; i < 4; i++) {
      await call(product.url, 'POST', '/v1/zt-policy/policies', {
        token: admin,
        body: { name: `r${i}`, subjects: ['*'], resources: [`res${i}`], actions: ['read'], effect: 'allow' },
      });
    }
  });

  afterAll(async () => {
    await product?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('removes old records up to a signed checkpoint and records the removal in the chain', async () => {
    const retention = await eventually(
      async () => {
        const page = await call<{ items: Record[] }>(
          product.url,
          'GET',
          '/v1/zt-policy/audit/events?type=com.zt.audit.retention',
          { token: auditor },
        );
        return page.body.items[0];
      },
      20_000,
      'a retention record',
    );
    const through = retention.payload.throughSeq!;
    expect(retention.payload.removedRecords).toBeGreaterThan(0);
    const all = await call<{ items: Record[] }>(product.url, 'GET', '/v1/zt-policy/audit/events', {
      token: auditor,
    });
    expect(all.body.items.every((r) => r.seq > through)).toBe(true);

    const verdict = await call(product.url, 'GET', '/v1/zt-policy/audit/verify', { token: auditor });
    expect(verdict.body).toMatchObject({ valid: true });
    expect(Number(verdict.body.prunedThrough)).toBeGreaterThanOrEqual(through);
    const ready = await call<{ checks: { [name: string]: { detail: { last?: { removed: number } } } } }>(
      product.url,
      'GET',
      '/readyz',
    );
    expect(ready.body.checks['audit-retention'].detail.last?.removed).toBeGreaterThan(0);
  });

  it('exports the retained chain from its signed anchor, and ztctl verifies it offline', async () => {
    const response = await fetch(`${product.url}/v1/zt-policy/audit/export`, {
      headers: { authorization: `Bearer ${auditor}` },
    });
    const text = await response.text();
    const first = JSON.parse(text.split('\n')[0]) as { kind: string; seq: number; prunedRecords: number };
    expect(first).toMatchObject({ kind: 'anchor' });
    expect(first.prunedRecords).toBeGreaterThan(0);
    writeFileSync(join(dir, 'audit.jsonl'), text);
    const keys = await call(product.url, 'GET', '/v1/zt-policy/audit/keys', { token: auditor });
    writeFileSync(join(dir, 'keys.json'), JSON.stringify(keys.body));
    const report = await auditCommand(['verify', join(dir, 'audit.jsonl'), '--key', join(dir, 'keys.json')]);
    expect(report).toMatch(/after a signed anchor at \d+/);

    // An anchor whose head was changed no longer carries a valid signature.
    const lines = readFileSync(join(dir, 'audit.jsonl'), 'utf8').split('\n');
    const forged = { ...JSON.parse(lines[0]), headHash: '0'.repeat(64) } as unknown;
    writeFileSync(join(dir, 'forged.jsonl'), [JSON.stringify(forged), ...lines.slice(1)].join('\n'));
    await expect(
      auditCommand(['verify', join(dir, 'forged.jsonl'), '--key', join(dir, 'keys.json')]),
    ).rejects.toThrow(/line 1, anchor \d+: the signed statement differs/);
  });
});
