// Audit ingest against the decision API's maximum rate, measured in the same run, in both modes.
//
// Standalone: the product as one process (embedded PGlite, in-process bus). A closed-loop load at
// the decision API's maximum for DURATION seconds; then the time from the load's end until the
// last answered decision is in the audit store, with `GET /audit/verify` asked meanwhile. A
// second load ends with SIGTERM at once: the time to exit, and after a restart whether every
// decision answered is stored. The ingest capacity comes from a backlog published on the bus of
// a product process of its own (standalone-backlog.js): records/s with nothing else running.
//
// Distributed: policy-admin and one decision replica on Kafka, Redis and PostgreSQL. The load
// runs while no audit service runs, so its decisions wait on zt.decision.log; then the audit
// service starts and drains that backlog (records/s, verify latency meanwhile). A second load
// with the audit service running gives the lag at the load's end, then SIGTERM the exit time.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const { ROOT, startProcess, devToken, cpuMs, quantile, startDistributedAdmin } = require('../support');

const DURATION = Number(process.env.BENCH_AUDIT_SECONDS ?? 8);
const BACKLOG = Number(process.env.BENCH_AUDIT_BACKLOG ?? 50_000);
const CONNECTIONS = 32;
const TARGET = 1.5;
const DECISIONS = '/v1/zt-policy/decisions';
const POLL_MS = 100;
// An auditor's pace: verify walks the whole chain, so asking back to back would measure verify
// competing with ingest rather than either.
const VERIFY_PAUSE_MS = 1000;
// Longest wait for the audit store to catch up before the bench gives up on a phase.
const CATCH_UP_LIMIT_MS = 600_000;

const request = JSON.stringify({
  subject: { id: 'alice@company.com', groups: ['g1'] },
  action: 'read',
  resource: { id: 'svc1.db' },
  context: { device: { posture: 'compliant' }, country: 'DE' },
});
const policy = JSON.stringify({
  name: 'bench',
  subjects: ['group:g1'],
  resources: ['svc1.*'],
  actions: ['read'],
  conditions: { device_posture: 'compliant' },
  effect: 'allow',
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Closed loop at the maximum: decisions answered (2xx) and their rate. */
async function decisionLoad(url, token, seconds) {
  const result = await new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}${DECISIONS}`,
        method: 'POST',
        duration: seconds,
        connections: CONNECTIONS,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: request,
      },
      (error, r) => (error ? reject(error) : resolve(r)),
    );
  });
  return { answered: result['2xx'], rps: result['2xx'] / seconds, failed: result.non2xx + result.errors };
}

/** Records the audit service appended from the bus so far (its metric). */
async function appended(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('zt_audit_records_appended_total'));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Waits until `count()` reaches `target`; the time it took in ms, and verify latencies meanwhile (none when `verify` is null). */
async function catchUp(count, target, verify) {
  const started = performance.now();
  let done = false;
  const latencies = [];
  let refused = 0;
  const verifying = (async () => {
    while (!done && verify) {
      const t = performance.now();
      const verdict = await verify();
      if (verdict.status === 503) {
        // Admission control (standalone: the process also serves decisions) refused it.
        refused += 1;
        await sleep(100);
        continue;
      }
      if (verdict.valid !== true) throw new Error(`verify during ingest: ${JSON.stringify(verdict)}`);
      latencies.push(performance.now() - t);
      await sleep(VERIFY_PAUSE_MS);
    }
  })();
  try {
    while ((await count()) < target) {
      if (performance.now() - started > CATCH_UP_LIMIT_MS) throw new Error(`audit store short of ${target}`);
      await sleep(POLL_MS);
    }
  } finally {
    done = true;
  }
  const ms = performance.now() - started;
  await verifying;
  return { ms, verifyMs: latencies, verifyRefused: refused };
}

/** How long a process takes to exit after SIGTERM, in ms. */
async function exitTime(server) {
  const started = performance.now();
  await server.stop();
  return performance.now() - started;
}

/** Asks `GET /audit/verify`: the verdict, or the problem with its status when refused. */
const verifier = (url, token) => async () => {
  const response = await fetch(`${url}/v1/zt-policy/audit/verify`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { ...(await response.json()), status: response.status };
};

async function createPolicy(url, token) {
  const response = await fetch(`${url}/v1/zt-policy/policies`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: policy,
  });
  if (response.status !== 201) throw new Error(`policy: HTTP ${response.status}`);
}

/** Waits until the decision service allows the bench request (it has the policy). */
async function untilDeciding(url, token) {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(100)) {
    const r = await fetch(`${url}${DECISIONS}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: request,
    });
    if ((await r.json()).decision === 'allow') return;
  }
  throw new Error('the policy never reached the decision service');
}

async function standalone() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-bench-audit-sa-'));
  const script = 'dist/apps/standalone/src/main.js';
  const env = { DATA_DIR: dataDir, DECISION_LOG_SAMPLE_RATE: '1', RATE_LIMIT_PER_SECOND: '0' };
  const result = {};
  try {
    let product = await startProcess(script, env);
    const admin = devToken(dataDir, 'bench-admin', ['policy_admin']);
    const pep = devToken(dataDir, 'bench-pep', ['pep']);
    const auditor = devToken(dataDir, 'bench-auditor', ['auditor']);
    await createPolicy(product.url, admin);
    await untilDeciding(product.url, pep);
    await sleep(1000);
    const verify = verifier(product.url, auditor);
    // Records before the load (the policy's, the warm-up decisions'): checkpoints are not records.
    const baseline = (await verify()).records;

    const before = await appended(product.url);
    const load = await decisionLoad(product.url, pep, DURATION);
    const lag = await catchUp(() => appended(product.url), before + load.answered, verify);
    result.decisions = load;
    result.lagMs = lag.ms;
    result.verifyMs = lag.verifyMs;
    result.verifyRefused = lag.verifyRefused;

    // SIGTERM right at the end of a load: exit time, then nothing lost after a restart.
    const second = await decisionLoad(product.url, pep, Math.max(2, DURATION / 2));
    result.exitMs = await exitTime(product);
    product = await startProcess(script, env);
    const verdict = await verifier(product.url, auditor)();
    await product.stop();
    result.afterRestart = {
      answered: load.answered + second.answered,
      stored: verdict.records - baseline,
      valid: verdict.valid,
    };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  // Capacity: a backlog on the bus of a product process of its own.
  const out = execFileSync(
    process.execPath,
    [path.join(__dirname, 'standalone-backlog.js'), String(BACKLOG)],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, LOG_LEVEL: 'error' },
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  result.backlog = JSON.parse(out.trim().split('\n').pop());
  return result;
}

async function distributed() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-bench-audit-d-'));
  const infra = await startDistributedAdmin(dataDir);
  const started = [];
  const result = {};
  try {
    const jwks = { JWKS_URL: `${infra.admin.url}/.well-known/jwks.json` };
    const decision = await startProcess('dist/apps/decision/src/main.js', {
      ...infra.env,
      ...jwks,
      DECISION_LOG_SAMPLE_RATE: '1',
      RATE_LIMIT_PER_SECOND: '0',
    });
    started.push(decision);
    const admin = devToken(dataDir, 'bench-admin', ['policy_admin']);
    const pep = devToken(dataDir, 'bench-pep', ['pep']);
    const auditor = devToken(dataDir, 'bench-auditor', ['auditor']);
    await createPolicy(infra.admin.url, admin);
    await untilDeciding(decision.url, pep);

    // The load with no audit service: its decisions wait on the topic.
    const load = await decisionLoad(decision.url, pep, DURATION);
    result.decisions = load;
    await sleep(1000); // the replica's last decision log batches
    const auditEnv = { ...infra.env, ...jwks };
    const audit = await startProcess('dist/apps/audit/src/main.js', auditEnv);
    started.push(audit);
    const ready = await appended(audit.url);
    const cpuBefore = cpuMs(audit.pid);
    // The ingest path alone (chaining, batching, PostgreSQL): verify, a full pass over the chain
    // each time, is asked during the live load below, where the lag shows whether ingest keeps up.
    const drain = await catchUp(() => appended(audit.url), load.answered, null);
    const end = await appended(audit.url);
    result.backlog = {
      decisions: load.answered,
      seconds: drain.ms / 1000,
      recordsPerSecond: (end - ready) / (drain.ms / 1000),
      stored: end,
      // The audit process's own CPU per record (the database server's is not included): on a
      // shared machine a steadier figure than the rate, which also depends on the neighbours.
      cpuUsPerRecord: ((cpuMs(audit.pid) - cpuBefore) * 1000) / Math.max(1, end - ready),
    };
    result.verifyMs = drain.verifyMs;
    result.verifyRefused = drain.verifyRefused;

    // A load with the audit service running: lag at the end, then SIGTERM.
    const base = await appended(audit.url);
    const live = await decisionLoad(decision.url, pep, DURATION);
    const lag = await catchUp(() => appended(audit.url), base + live.answered, verifier(audit.url, auditor));
    result.live = {
      decisions: live,
      lagMs: lag.ms,
      verifyMs: lag.verifyMs,
      verifyRefused: lag.verifyRefused,
    };
    started.pop();
    result.exitMs = await exitTime(audit);
  } finally {
    for (const server of started) await server.stop();
    await infra.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return result;
}

const summary = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted.length === 0
    ? { count: 0 }
    : { count: sorted.length, p50: quantile(sorted, 0.5), max: sorted[sorted.length - 1] };
};

async function runAuditIngestBench() {
  const sa = await standalone();
  const dist = await distributed();
  for (const r of [sa, dist]) r.ratio = r.backlog.recordsPerSecond / r.decisions.rps;
  sa.verify = {
    ...summary([...sa.verifyMs, ...sa.backlog.verifyMs]),
    refused: sa.verifyRefused + sa.backlog.verifyRefused,
  };
  dist.verify = {
    ...summary([...dist.verifyMs, ...dist.live.verifyMs]),
    refused: dist.verifyRefused + dist.live.verifyRefused,
  };
  return {
    durationSeconds: DURATION,
    backlogDecisions: BACKLOG,
    target: TARGET,
    standalone: sa,
    distributed: dist,
  };
}

module.exports = { runAuditIngestBench };
