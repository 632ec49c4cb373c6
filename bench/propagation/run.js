// Propagation over Kafka: from the admin's policy change (PUT) to a decision that enforces it.
// policy-admin and decision run as separate processes on the real Kafka, PostgreSQL and Redis
// (`npm run infra:up`). Each round flips a policy and asks the decision service for a decision
// at the revision the PUT answered (the decision waits server-side until it has it), so the
// time measured is commit + outbox relay + Kafka + apply + decide, as a user experiences it.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startProcess, devToken, quantile, startDistributedAdmin } = require('../support');

const ROUNDS = Number(process.env.BENCH_PROPAGATION_ROUNDS ?? 200);

async function runPropagationBench() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-bench-prop-'));
  const infra = await startDistributedAdmin(dataDir);
  const admin = infra.admin;
  const decision = await startProcess('dist/apps/decision/src/main.js', {
    ...infra.env,
    JWKS_URL: `${admin.url}/.well-known/jwks.json`,
    MIN_REVISION_WAIT_MS: '5000',
  });
  const adminToken = devToken(dataDir, 'bench-admin', ['policy_admin']);
  const pep = devToken(dataDir, 'bench-pep', ['pep']);
  const json = (token) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
  const policy = (effect) =>
    JSON.stringify({
      id: 'pol_bench',
      name: 'bench',
      subjects: ['*'],
      resources: ['bench.*'],
      actions: ['read'],
      effect,
    });
  const samples = [];
  const statusSamples = [];
  try {
    const created = await fetch(`${admin.url}/v1/zt-policy/policies`, {
      method: 'POST',
      headers: json(adminToken),
      body: policy('allow'),
    });
    if (created.status !== 201) throw new Error(`create: HTTP ${created.status}`);
    for (let round = 0; round < ROUNDS; round++) {
      const effect = round % 2 === 0 ? 'deny' : 'allow';
      const started = performance.now();
      const put = await fetch(`${admin.url}/v1/zt-policy/policies/pol_bench`, {
        method: 'PUT',
        headers: json(adminToken),
        body: policy(effect),
      });
      if (put.status !== 200) throw new Error(`round ${round}: PUT HTTP ${put.status}`);
      const revision = Number(put.headers.get('zt-policy-revision'));
      const decided = await fetch(`${decision.url}/v1/zt-policy/decisions`, {
        method: 'POST',
        headers: { ...json(pep), 'zt-min-revision': String(revision) },
        body: JSON.stringify({ subject: { id: 'alice' }, action: 'read', resource: { id: 'bench.x' } }),
      });
      const body = await decided.json();
      if (decided.status !== 200 || body.decision !== effect) {
        throw new Error(`round ${round}: HTTP ${decided.status} ${JSON.stringify(body)}`);
      }
      samples.push(performance.now() - started);
      if (round % 20 === 19) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        const status = await (
          await fetch(`${admin.url}/v1/zt-policy/status`, { headers: json(adminToken) })
        ).json();
        if (status.last_change?.propagation_ms !== null)
          statusSamples.push(status.last_change.propagation_ms);
      }
    }
  } finally {
    await decision.stop();
    await infra.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    rounds: ROUNDS,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1],
    statusPropagationMs: statusSamples,
  };
}

module.exports = { runPropagationBench };
