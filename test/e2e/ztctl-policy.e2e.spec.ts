import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../apps/ztctl/src/cli';
import { call, eventually } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

const EXAMPLE = join(__dirname, '..', '..', 'examples', 'policy-repo');

/**
 * The policy-as-code cycle of docs/policy-as-code.md against the standalone product: export,
 * validate, test, plan, apply (one change set), a field-level plan of an edit, and a saved plan
 * refused once the server moved.
 */
describe('ztctl policy against the standalone product', () => {
  let product: StandaloneUnderTest;
  let token: string;
  let work: string;

  /** Runs ztctl with ZT_SERVER and ZT_TOKEN set, as a CI job would. */
  async function ztctl(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const env = { ZT_SERVER: product.url, ZT_TOKEN: token, ZT_PROFILE: join(work, 'no-profile.json') };
    writeFileSync(env.ZT_PROFILE, '{}');
    const code = await run(argv, env, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
  }

  beforeAll(async () => {
    product = await startStandaloneForTest();
    token = await product.issuer.mint({
      sub: 'ci@company.com',
      roles: ['policy_admin', 'infra_admin'],
      mfa: true,
    });
    work = mkdtempSync(join(tmpdir(), 'ztctl-e2e-'));
  });

  afterAll(async () => {
    await product?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('exports the server into an empty repository that validates and plans no change', async () => {
    const repo = join(work, 'exported');
    const exported = await ztctl('policy', 'export', repo);
    expect(exported.err).toBe('');
    expect(exported).toMatchObject({ code: 0, out: expect.stringMatching(/^exported revision \d+/) });
    expect(await ztctl('policy', 'validate', repo)).toMatchObject({ code: 0 });
    expect(await ztctl('policy', 'plan', repo)).toMatchObject({
      code: 0,
      out: expect.stringMatching(/no changes/),
    });
  });

  it('plans the example repository: everything to create, exit 3, saved with its revision', async () => {
    const out = join(work, 'plan.json');
    const plan = await ztctl('policy', 'plan', EXAMPLE, '--out', out);
    expect(plan.err).toBe('');
    expect(plan.code).toBe(3);
    expect(plan.out).toMatch(/\+ policy pol_engineering_admin \(create\)/);
    expect(plan.out).toMatch(/\+ principal alice@company.com \(create\)/);
    expect(plan.out).toMatch(/\+ resource repository\/gitlab.repo.payments \(create\)/);
    expect(plan.out).toMatch(/10 to create, 0 to change, 0 to delete/);
    const saved = JSON.parse(readFileSync(out, 'utf8'));
    expect(saved).toMatchObject({ ztctl_plan: 1, server: product.url, revision: expect.any(Number) });
    const json = JSON.parse((await ztctl('policy', 'plan', EXAMPLE, '-o', 'json')).out);
    expect(json.summary).toEqual({ create: 10, update: 0, delete: 0 });
  });

  it('applies the repository as one change set at one revision; then nothing is left to plan', async () => {
    const applied = await ztctl('policy', 'apply', EXAMPLE, '--reason', 'example repository');
    expect(applied.err).toBe('');
    expect(applied).toMatchObject({
      code: 0,
      out: expect.stringMatching(/applied as one change set: revision \d+/),
    });
    expect(await ztctl('policy', 'plan', EXAMPLE)).toMatchObject({
      code: 0,
      out: expect.stringMatching(/no changes/),
    });
    // The server decides as the repository's tests say.
    const pep = await product.issuer.mint({ sub: 'gateway', roles: ['pep'] });
    const decision = await call(product.url, 'POST', '/v1/zt-policy/decisions', {
      token: pep,
      body: {
        subject: { id: 'carl@vendor.com' },
        action: 'read',
        resource: { type: 'storage', id: 'arn:aws:s3:::sensitive-bucket' },
      },
    });
    expect(decision.body).toMatchObject({
      decision: 'deny',
      decidingPolicies: [{ id: 'ztpol-contractors-sensitive-deny' }],
    });
  });

  it('plans an edit field by field, and refuses a saved plan once the server moved (exit 4)', async () => {
    const repo = join(work, 'edited');
    cpSync(EXAMPLE, repo, { recursive: true });
    const file = join(repo, 'policies', 'engineering-admin.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('location: US_ONLY', 'location: EU_ONLY'));
    rmSync(join(repo, 'policies', 'prod-ssh.yaml'));
    // A decision the edit turns, recorded before the plan: the plan's impact names it.
    const pep = await product.issuer.mint({ sub: 'gateway', roles: ['pep'] });
    const decided = await call<{ decision: string; decision_id: string }>(
      product.url,
      'POST',
      '/v1/zt-policy/decisions',
      {
        token: pep,
        body: {
          subject: { id: 'bob@company.com' },
          action: 'write',
          resource: { id: 'gitlab.repo.payments' },
          context: { device: { posture: 'compliant' }, country: 'US' },
        },
      },
    );
    expect(decided.body.decision).toBe('allow');
    await eventually(async () => {
      const page = await call<{ items: { decisionId: string }[] }>(
        product.url,
        'GET',
        '/v1/zt-policy/audit/decision-inputs?limit=50',
        { token },
      );
      return page.body.items.some((i) => i.decisionId === decided.body.decision_id) ? true : undefined;
    });
    const out = join(work, 'edit.json');
    const plan = await ztctl('policy', 'plan', repo, '--out', out);
    expect(plan.code).toBe(3);
    expect(plan.out).toMatch(/impact on \d+ recorded decisions: \d+ would change/);
    expect(plan.out).toMatch(/allow -> deny: \d+ \(by [^)]*pol_engineering_admin/);
    expect(plan.out).toMatch(/e\.g\. bob@company\.com write gitlab\.repo\.payments at /);
    const saved = JSON.parse(readFileSync(out, 'utf8')) as {
      impact: { flips: { from: string; to: string }[] };
    };
    expect(saved.impact.flips).toContainEqual(expect.objectContaining({ from: 'allow', to: 'deny' }));
    expect((await ztctl('policy', 'plan', repo, '--no-impact')).out).not.toMatch(/impact/);
    expect(plan.out).toMatch(
      /~ policy pol_engineering_admin \(update\)\n\s+\/document\/conditions\/location: "US_ONLY" -> "EU_ONLY"/,
    );
    expect(plan.out).toMatch(/- policy pol_prod_ssh \(delete\)/);
    expect(await ztctl('policy', 'test', repo)).toMatchObject({ code: 1 });

    // Someone else writes meanwhile: the saved plan no longer describes the server.
    const moved = await call(product.url, 'PUT', '/v1/zt-policy/principals/zed@company.com', {
      token,
      body: { type: 'user', groups: ['engineering'] },
    });
    expect(moved.status).toBe(200);
    const stale = await ztctl('policy', 'apply', out);
    expect(stale).toMatchObject({ code: 4, err: expect.stringMatching(/the server moved since the plan/) });

    // Planned again (the unmanaged-by-the-repo principal zed is now to delete), it applies.
    const fresh = join(work, 'fresh.json');
    expect((await ztctl('policy', 'plan', repo, '--out', fresh)).out).toMatch(
      /- principal zed@company.com \(delete\)/,
    );
    expect(await ztctl('policy', 'apply', fresh)).toMatchObject({ code: 0 });
    expect((await ztctl('policy', 'plan', repo)).code).toBe(0);
  });

  it('round-trips: an export of the applied state validates, and the example tests pass on it', async () => {
    const repo = join(work, 'round-trip');
    expect((await ztctl('policy', 'export', repo)).code).toBe(0);
    cpSync(join(EXAMPLE, 'tests', 'contractors.yaml'), join(repo, 'tests', 'contractors.yaml'));
    expect(await ztctl('policy', 'validate', repo)).toMatchObject({ code: 0 });
    expect(await ztctl('policy', 'fmt', repo, '--check')).toMatchObject({ code: 0 });
    expect(await ztctl('policy', 'test', repo)).toMatchObject({
      code: 0,
      out: expect.stringMatching(/3 passed, 0 failed/),
    });
    expect(await ztctl('policy', 'plan', repo)).toMatchObject({ code: 0 });
    // A second export into the same folder would mix two states: refused unless --force.
    expect(await ztctl('policy', 'export', repo)).toMatchObject({
      code: 1,
      err: expect.stringMatching(/--force/),
    });
    expect((await ztctl('policy', 'export', repo, '--force')).code).toBe(0);
    expect(await ztctl('policy', 'validate', repo)).toMatchObject({ code: 0 });
  });
});
