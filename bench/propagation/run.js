// Propagation over Kafka, and the scale of the policy state: policy-admin and decision run as
// separate processes on the real Kafka, PostgreSQL and Redis (`npm run infra:up`), once with a
// few policies and once with many (BENCH_PROPAGATION_POLICIES, 100,000 by default), loaded in
// bulk (./bulk-load). In each phase, new decision replicas start from policy-admin's snapshot and
// are timed to readiness (./replica); then each round flips a policy and asks the last replica for
// a decision at the revision the PUT answered (the decision waits server-side until it has it),
// so the time measured is commit + outbox relay + Kafka + apply + decide, as a user experiences it.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { devToken, quantile, startDistributedAdmin } = require('../support');
const { bulkLoadPolicies } = require('./bulk-load');
const { startReplica } = require('./replica');

const ROUNDS = Number(process.env.BENCH_PROPAGATION_ROUNDS ?? 200);
const FEW = Number(process.env.BENCH_PROPAGATION_FEW ?? 10);
const MANY = Number(process.env.BENCH_PROPAGATION_POLICIES ?? 100_000);
// Replica starts per phase: the median is reported.
const STARTS = Number(process.env.BENCH_PROPAGATION_STARTS ?? 3);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};

/** Resident memory of a process in MB, from /proc (Linux). */
function rssMb(pid) {
  const line = fs
    .readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return line ? Number(line.split(/\s+/)[1]) / 1024 : null;
}

/** PUT → decision at that revision, ROUNDS times; the samples and the rollout status seen. */
async function propagationRounds(adminUrl, decisionUrl, adminToken, pep) {
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
  const created = await fetch(`${adminUrl}/v1/zt-policy/policies`, {
    method: 'POST',
    headers: json(adminToken),
    body: policy('allow'),
  });
  if (created.status !== 201) throw new Error(`create: HTTP ${created.status}`);
  for (let round = 0; round < ROUNDS; round++) {
    const effect = round % 2 === 0 ? 'deny' : 'allow';
    const started = performance.now();
    const put = await fetch(`${adminUrl}/v1/zt-policy/policies/pol_bench`, {
      method: 'PUT',
      headers: json(adminToken),
      body: policy(effect),
    });
    if (put.status !== 200) throw new Error(`round ${round}: PUT HTTP ${put.status}`);
    const revision = Number(put.headers.get('zt-policy-revision'));
    const decided = await fetch(`${decisionUrl}/v1/zt-policy/decisions`, {
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
        await fetch(`${adminUrl}/v1/zt-policy/status`, { headers: json(adminToken) })
      ).json();
      if (status.last_change?.propagation_ms !== null) statusSamples.push(status.last_change.propagation_ms);
    }
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

/** One phase: a fresh deployment holding `policies` policies; replica starts, then propagation. */
async function runPhase(policies) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-bench-prop-'));
  const infra = await startDistributedAdmin(dataDir);
  const admin = infra.admin;
  const replicas = [];
  try {
    const load = await bulkLoadPolicies(infra.env, policies);
    const tokenFile = path.join(dataDir, 'pdp.token');
    fs.writeFileSync(tokenFile, devToken(dataDir, 'bench-pdp', ['pdp']));
    const adminToken = devToken(dataDir, 'bench-admin', ['policy_admin']);
    const pep = devToken(dataDir, 'bench-pep', ['pep']);
    const env = {
      ...infra.env,
      JWKS_URL: `${admin.url}/.well-known/jwks.json`,
      MIN_REVISION_WAIT_MS: '5000',
      // Measured here is propagation, not admission control: one request at a time never
      // overloads the replica, but a late event loop on a busy shared machine would refuse it.
      ADMISSION_EVENT_LOOP_DELAY_MS: '0',
      POLICY_ADMIN_URL: admin.url,
      POLICY_ADMIN_TOKEN_FILE: tokenFile,
    };
    const starts = [];
    for (let i = 0; i < STARTS; i++) {
      const replica = await startReplica(env);
      replicas.push(replica);
      if (replica.timings.policies !== policies) {
        throw new Error(`replica holds ${replica.timings.policies} policies, not ${policies}`);
      }
      starts.push({ ...replica.timings, rssMb: rssMb(replica.pid) });
      // Only the last one stays, for the propagation rounds.
      if (i < STARTS - 1) await replicas.pop().stop();
    }
    const decision = replicas[replicas.length - 1];
    const propagation = await propagationRounds(admin.url, decision.url, adminToken, pep);
    return {
      policies,
      load,
      starts,
      readyMs: median(starts.map((s) => s.readyMs)),
      fetchToReadyMs: median(starts.map((s) => s.fetchToReadyMs)),
      caughtUpMs: median(starts.map((s) => s.caughtUpMs)),
      rssMb: rssMb(decision.pid),
      ...propagation,
    };
  } finally {
    for (const replica of replicas) await replica.stop();
    await infra.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function runPropagationBench() {
  const few = await runPhase(FEW);
  const many = await runPhase(MANY);
  return { few, many };
}

module.exports = { runPropagationBench };
