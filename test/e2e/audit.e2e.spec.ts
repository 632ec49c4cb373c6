import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditCommand } from '../../apps/ztctl/src/audit-verify.command';
import { run } from '../../apps/ztctl/src/cli';
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

    // One altered record: named by its line. (The second record: whether a timed checkpoint
    // follows the first record depends on timing, so the line is looked up.)
    const second = lines.findIndex((l, i) => i > 0 && l.includes('"kind":"record"'));
    const tampered = lines.map((l, i) => (i === second ? l.replace('"actor":"', '"actor":"x') : l));
    writeFileSync(join(dir, 'tampered.jsonl'), tampered.join('\n'));
    await expect(
      auditCommand(['verify', join(dir, 'tampered.jsonl'), '--key', join(dir, 'keys.json')]),
    ).rejects.toThrow(new RegExp(`line ${second + 1}, record 2: hash does not match`));

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

  /** Runs ztctl as its main does; returns the exit code and what it wrote. */
  async function ztctl(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await run(argv, {}, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  }

  it('ztctl --require-signed and --expect-head accept a complete export and refuse a cut one, each with its exit code', async () => {
    const keys = await call(product.url, 'GET', '/v1/zt-policy/audit/keys', { token: auditor });
    const key = join(dir, 'keys.json');
    writeFileSync(key, JSON.stringify(keys.body));
    const lines = await exportTo(join(dir, 'complete.jsonl'));
    const parsed = lines.map((l) => JSON.parse(l) as { kind: string; seq: number; hash?: string });
    const head = parsed.filter((l) => l.kind === 'record').pop()!;
    const expectHead = `${head.seq}:${head.hash}`;

    const complete = await ztctl(
      'audit',
      'verify',
      join(dir, 'complete.jsonl'),
      '--key',
      key,
      '--require-signed',
      '--expect-head',
      expectHead,
    );
    expect(complete).toMatchObject({ code: 0, out: expect.stringMatching(`head ${head.seq} ${head.hash}`) });
    expect(complete.out).not.toMatch(/not covered/);
    expect(
      (await ztctl('audit', 'verify', join(dir, 'complete.jsonl'), '--key', key, '--expect-head', head.hash!))
        .code,
    ).toBe(0);

    // The final checkpoint cut off: the last records are no longer covered by a signature.
    writeFileSync(join(dir, 'cut.jsonl'), lines.slice(0, -1).join('\n'));
    const cut = await ztctl('audit', 'verify', join(dir, 'cut.jsonl'), '--key', key, '--require-signed');
    expect(cut).toMatchObject({
      code: 3,
      err: expect.stringMatching(/no signature covers the last \d+ records/),
    });
    expect((await ztctl('audit', 'verify', join(dir, 'cut.jsonl'), '--key', key)).code).toBe(0);

    // Cut right after an earlier checkpoint: every remaining record is signed, but the head is not the expected one.
    const earlier = parsed
      .map((l, i) => (l.kind === 'checkpoint' && l.seq < head.seq ? i : -1))
      .filter((i) => i >= 0)
      .pop()!;
    writeFileSync(join(dir, 'short.jsonl'), lines.slice(0, earlier + 1).join('\n'));
    expect(
      (await ztctl('audit', 'verify', join(dir, 'short.jsonl'), '--key', key, '--require-signed')).code,
    ).toBe(0);
    const short = await ztctl(
      'audit',
      'verify',
      join(dir, 'short.jsonl'),
      '--key',
      key,
      '--require-signed',
      '--expect-head',
      expectHead,
    );
    expect(short).toMatchObject({ code: 4, err: expect.stringMatching(/not at the expected/) });

    // An altered record still exits 1; a malformed expected head is a usage mistake.
    writeFileSync(
      join(dir, 'altered.jsonl'),
      lines.map((l, i) => (i === 0 ? l.replace('"actor":"', '"actor":"x') : l)).join('\n'),
    );
    expect(
      (await ztctl('audit', 'verify', join(dir, 'altered.jsonl'), '--key', key, '--require-signed')).code,
    ).toBe(1);
    expect(
      (await ztctl('audit', 'verify', join(dir, 'complete.jsonl'), '--key', key, '--expect-head', 'abc'))
        .code,
    ).toBe(2);
  });

  it('documents the flags and exit codes in --help', async () => {
    const help = await ztctl('--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/--require-signed/);
    expect(help.out).toMatch(/--expect-head/);
    expect(help.out).toMatch(/exit codes: 0 verified; 1 .*2 usage; 4 .*3 --require-signed/s);
    expect(await ztctl('audit', 'verify', '--help')).toMatchObject({
      code: 0,
      out: expect.stringMatching(/--require-signed/),
    });
  });
});
