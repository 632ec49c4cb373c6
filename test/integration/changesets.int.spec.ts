import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call } from '../support/http';
import { createTestDatabase, ServiceProcess, startServiceProcess, serviceEnv } from '../support/distributed';
import { startTestIssuer, TestIssuer } from '../support/test-issuer';

type Decision = { decision: string; revision: number; decidingPolicies: { id: string }[] };
type Result = { revision: number; changes: { id: string; result: string }[] };

const policy = (id: string, effect: 'allow' | 'deny') => ({
  id,
  name: id,
  subjects: ['*'],
  resources: ['ledger.*'],
  actions: ['read'],
  effect,
});

/**
 * Change sets on the real Kafka: each set deletes the policy that decides and creates its
 * opposite (plus a directory change), so half a set would answer `deny` with no deciding policy,
 * a state that exists at no revision. Two replicas (one from the topic, one from the snapshot,
 * one of them restarted mid-stream) are asked without pause while the sets land; every answer
 * must be exactly the state at the revision it names.
 */
describe('decision replicas apply a change set whole', () => {
  let issuer: TestIssuer;
  let database: { url: string; drop(): Promise<void> };
  let env: Record<string, string>;
  let admin: ServiceProcess;
  const replicas: ServiceProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'zt-changesets-'));

  beforeAll(async () => {
    issuer = await startTestIssuer();
    database = await createTestDatabase();
    env = serviceEnv(database, issuer, {
      MIN_REVISION_WAIT_MS: '2000',
    });
    admin = await startServiceProcess('policy-admin', env);
    writeFileSync(join(dir, 'pdp.token'), await issuer.mint({ sub: 'decision-pdp', roles: ['pdp'] }));
    replicas.push(await startServiceProcess('decision', { ...env, INSTANCE_ID: 'decision-a' }));
    replicas.push(
      await startServiceProcess('decision', {
        ...env,
        INSTANCE_ID: 'decision-b',
        POLICY_ADMIN_URL: admin.url,
        POLICY_ADMIN_TOKEN_FILE: join(dir, 'pdp.token'),
      }),
    );
  }, 300_000);

  afterAll(async () => {
    await Promise.all([admin, ...replicas].map((s) => s?.stop()));
    await database?.drop();
    await issuer?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('never answers from half a set while sets swapping an allow for a deny land', async () => {
    // Deleting a policy takes infra_admin with MFA, in a set as alone.
    const root = await issuer.mint({ sub: 'root@company.com', roles: ['infra_admin'], amr: ['pwd', 'mfa'] });
    const pep = await issuer.mint({ sub: 'gateway', roles: ['pep'] });
    const body = { subject: { id: 'alice@company.com' }, action: 'read', resource: { id: 'ledger.q3' } };
    const first = await call<Result>(admin.url, 'POST', '/v1/zt-policy/changesets', {
      token: root,
      body: {
        changes: [{ op: 'put', kind: 'policy', id: 'pol_allow', document: policy('pol_allow', 'allow') }],
      },
    });
    expect(first.status).toBe(200);
    // Which effect, decided by which policy, holds from which revision on.
    const states = [{ revision: first.body.revision, effect: 'allow', by: 'pol_allow' }];
    const expected = (revision: number) => [...states].reverse().find((s) => s.revision <= revision);
    let acked = first.body.revision;
    let running = true;
    const violations: string[] = [];
    let answers = 0;

    const hammer = async (n: number) => {
      while (running) {
        const target = replicas[n % replicas.length];
        const asked = acked;
        const r = await call<Decision>(target.url, 'POST', '/v1/zt-policy/decisions', {
          token: pep,
          body: { ...body, min_revision: asked },
        }).catch(() => undefined);
        n += 1;
        if (!r || r.status === 503) continue; // restarting or catching up: no answer is not a wrong one
        answers += 1;
        const state = expected(r.body.revision);
        const by = (r.body.decidingPolicies ?? []).map((p) => p.id).join(',');
        if (r.status !== 200) violations.push(`status ${r.status}`);
        else if (r.body.revision < asked) violations.push(`revision ${r.body.revision} < asked ${asked}`);
        else if (r.body.decision !== state?.effect || by !== state.by) {
          violations.push(
            `${target.url} revision ${r.body.revision}: ${r.body.decision} by [${by}], expected ${state?.effect} by ${state?.by}`,
          );
        }
      }
    };
    const clients = [0, 1, 2, 3].map((i) => hammer(i));

    for (let flip = 1; flip <= 20; flip++) {
      const [from, to, effect] =
        flip % 2 === 1
          ? ['pol_allow', 'pol_deny', 'deny' as const]
          : ['pol_deny', 'pol_allow', 'allow' as const];
      // With the precondition the set lands at exactly the next revision: known before it is sent,
      // because a replica may answer from it before this call returns.
      states.push({ revision: acked + 1, effect, by: to });
      const applied = await call<Result>(admin.url, 'POST', '/v1/zt-policy/changesets', {
        token: root,
        body: {
          expected_revision: acked,
          reason: `flip ${flip}`,
          changes: [
            { op: 'delete', kind: 'policy', id: from },
            { op: 'put', kind: 'principal', id: 'alice@company.com', principal: { attributes: { flip } } },
            { op: 'put', kind: 'policy', id: to, document: policy(to, effect) },
          ],
        },
      });
      expect(applied.status).toBe(200);
      expect(applied.body.revision).toBe(acked + 1);
      acked = applied.body.revision;
      if (flip === 4) {
        // Killed mid-stream and restarted with a fresh memory: it replays the sets from the topic.
        replicas[0].child.kill('SIGKILL');
        await replicas[0].stop();
        replicas[0] = await startServiceProcess('decision', { ...env, INSTANCE_ID: 'decision-a' });
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    running = false;
    await Promise.all(clients);

    if (violations.length > 0) {
      console.log(JSON.stringify(states), replicas.map((r) => r.output()).join('\n-----\n'));
    }
    expect(violations).toEqual([]);
    expect(answers).toBeGreaterThan(50);
    const final = states[states.length - 1];
    for (const replica of replicas) {
      const r = await call<Decision>(replica.url, 'POST', '/v1/zt-policy/decisions', {
        token: pep,
        body: { ...body, min_revision: final.revision },
      });
      expect(r.body).toMatchObject({ decision: final.effect, revision: final.revision });
    }
  }, 240_000);
});
