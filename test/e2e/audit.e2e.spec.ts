import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditCommand } from '../../apps/ztctl/src/audit-verify.command';
import { call, eventually } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

describe('audit trail (standalone)', () => {
  let product: StandaloneUnderTest;
  let auditor: string;
  const dir = mkdtempSync(join(tmpdir(), 'zt-audit-'));

  beforeAll(async () => {
    product = await startStandaloneForTest({ AUDIT_CHECKPOINT_EVERY: '2', AUDIT_CHECKPOINT_SECONDS: '1' });
    auditor = await product.issuer.mint({ sub: 'audra@company.com', roles: ['auditor'] });
    const admin = await product.issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] });
    for (let i = 0; i < 3; i++) {
      await call(product.url, 'POST', '/v1/zt-policy/policies', {
        token: admin,
        body: { name: `p${i}`, subjects: ['*'], resources: [`r${i}`], actions: ['read'], effect: 'allow' },
      });
      await call(product.url, 'POST', '/v1/zt-policy/decisions', {
        token: admin,
        body: { action: 'read', resource: { id: `r${i}` } },
      });
    }
    await eventually(async () => {
      const page = await call<{ items: unknown[] }>(product.url, 'GET', '/v1/zt-policy/audit/events', {
        token: auditor,
      });
      return page.body.items.length >= 6 ? true : undefined;
    });
  });

  afterAll(async () => {
    await product?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function exportTo(file: string): Promise<string[]> {
    const response = await fetch(`${product.url}/v1/zt-policy/audit/export`, {
      headers: { authorization: `Bearer ${auditor}` },
    });
    expect(response.headers.get('content-type')).toContain('application/x-ndjson');
    const text = await response.text();
    writeFileSync(file, text);
    return text.trim().split('\n');
  }

  it('verifies its own chain', async () => {
    const verdict = await call(product.url, 'GET', '/v1/zt-policy/audit/verify', { token: auditor });
    expect(verdict.body).toMatchObject({ valid: true });
  });

  it('exports records with signed checkpoints that ztctl verifies offline with the public key', async () => {
    await eventually(async () => {
      const lines = await exportTo(join(dir, 'audit.jsonl'));
      return lines.some((l) => l.includes('"kind":"checkpoint"')) ? true : undefined;
    });
    const keys = await call(product.url, 'GET', '/v1/zt-policy/audit/keys', { token: auditor });
    writeFileSync(join(dir, 'keys.json'), JSON.stringify(keys.body));
    const lines = await exportTo(join(dir, 'audit.jsonl'));
    const report = await auditCommand(['verify', join(dir, 'audit.jsonl'), '--key', join(dir, 'keys.json')]);
    expect(report).toMatch(/^verified \d+ records and [1-9]\d* signed checkpoints/);

    // One altered record: named by its line.
    const tampered = lines.map((l, i) => (i === 1 ? l.replace('"actor":"', '"actor":"x') : l));
    writeFileSync(join(dir, 'tampered.jsonl'), tampered.join('\n'));
    await expect(
      auditCommand(['verify', join(dir, 'tampered.jsonl'), '--key', join(dir, 'keys.json')]),
    ).rejects.toThrow(/line 2, record \d+: hash does not match/);

    // A checkpoint signed by another key is refused.
    const { DevIssuer } = await import('@zt/auth');
    const stranger = await DevIssuer.loadOrCreate(join(dir, 'other'));
    writeFileSync(join(dir, 'other.json'), JSON.stringify(stranger.jwks()));
    await expect(
      auditCommand(['verify', join(dir, 'audit.jsonl'), '--key', join(dir, 'other.json')]),
    ).rejects.toThrow(/signature does not verify/);
  });

  it('filters events by actor, policy, type and time range, and refuses bad filters with pointers', async () => {
    type Page = {
      items: { type: string; actor: string; eventTime: string; payload: { policyId?: string } }[];
    };
    const all = (
      await call<Page>(product.url, 'GET', '/v1/zt-policy/audit/events?limit=500', { token: auditor })
    ).body.items;
    const change = all.find((r) => r.type === 'com.zt.policy.created');
    expect(change).toBeDefined();
    const byPolicy = await call<Page>(
      product.url,
      'GET',
      `/v1/zt-policy/audit/events?policyId=${change?.payload.policyId}`,
      { token: auditor },
    );
    expect(byPolicy.body.items.map((r) => r.payload.policyId)).toEqual([change?.payload.policyId]);
    const byActor = await call<Page>(
      product.url,
      'GET',
      '/v1/zt-policy/audit/events?actor=pat@company.com&type=com.zt.policy.created',
      {
        token: auditor,
      },
    );
    expect(byActor.body.items).toHaveLength(3);
    const future = await call<Page>(
      product.url,
      'GET',
      `/v1/zt-policy/audit/events?from=${new Date(Date.now() + 60_000).toISOString()}`,
      {
        token: auditor,
      },
    );
    expect(future.body.items).toEqual([]);
    const bad = await call<{ errors: { pointer: string }[] }>(
      product.url,
      'GET',
      '/v1/zt-policy/audit/events?from=yesterday&limit=0',
      {
        token: auditor,
      },
    );
    expect(bad.body.errors.map((e) => e.pointer).sort()).toEqual(['/from', '/limit']);
  });
});
