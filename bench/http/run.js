// HTTP load on the decision API against a bare Fastify handler measured in the same run:
// closed-loop maximum throughput (cached, uncached, bare), then an open-loop run at a fixed
// arrival rate of 70% of the cached maximum for latency percentiles, and the cost of the
// decision log (all allow decisions logged vs none).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const { startProcess, devToken, startDistributedAdmin } = require('../support');

// policy-admin and its database, shared by the decision processes of one run.
let shared;

const DURATION = Number(process.env.BENCH_HTTP_SECONDS ?? 8);
const CONNECTIONS = 32;
const POLICIES = 200;

function load(options) {
  return new Promise((resolve, reject) => {
    autocannon(
      { duration: DURATION, connections: CONNECTIONS, method: 'POST', ...options },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

function request(resourceId) {
  return JSON.stringify({
    subject: { id: 'alice@company.com', groups: ['g3'] },
    action: 'read',
    resource: { id: resourceId },
    context: { device: { posture: 'compliant' }, country: 'DE' },
  });
}

function summary(result) {
  const non2xx = result.non2xx + result.errors + result.timeouts;
  return {
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    p999: result.latency.p99_9,
    failed: non2xx,
  };
}

/**
 * The decision service as deployed: its own process on Kafka and Redis, fed by policy-admin
 * (both on a fresh database and topic prefix). Standalone would put the audit service, which
 * writes every decision to the embedded database, on the same event loop.
 */
async function startProduct(dataDir, env) {
  const infra = await (shared ??= startDistributedAdmin(dataDir));
  const decision = await startProcess('dist/apps/decision/src/main.js', {
    ...infra.env,
    JWKS_URL: `${infra.admin.url}/.well-known/jwks.json`,
    RATE_LIMIT_PER_SECOND: '0',
    ...env,
  });
  const product = { url: decision.url, adminUrl: infra.admin.url, stop: decision.stop };
  const admin = devToken(dataDir, 'bench-admin', ['policy_admin']);
  const pep = devToken(dataDir, 'bench-pep', ['pep']);
  const existing = await (
    await fetch(`${product.adminUrl}/v1/zt-policy/policies?limit=1`, {
      headers: { authorization: `Bearer ${admin}` },
    })
  ).json();
  if (!Array.isArray(existing)) throw new Error(`policy list: ${JSON.stringify(existing)}`);
  if (existing.length === 0) {
    for (let i = 0; i < POLICIES; i++) {
      const response = await fetch(`${product.adminUrl}/v1/zt-policy/policies`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: `p${i}`,
          subjects: [`group:g${i % 10}`],
          resources: [`svc${i}.*`],
          actions: ['read', 'write'],
          conditions: { device_posture: 'compliant' },
          effect: 'allow',
        }),
      });
      if (response.status !== 201) throw new Error(`policy ${i}: HTTP ${response.status}`);
    }
  }
  // Wait until the last policy decides (the decision service has them all).
  for (const deadline = Date.now() + 60_000; ;) {
    if (Date.now() > deadline) throw new Error('the policies never reached the decision service');
    const r = await fetch(`${product.url}/v1/zt-policy/decisions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${pep}`, 'content-type': 'application/json' },
      body: request(`svc${POLICIES - 7}.db`),
    });
    if ((await r.json()).decision === 'allow') break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { ...product, pep };
}

async function runHttpBench() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-bench-http-'));
  const bare = await startProcess('bench/http/bare-fastify.js', {});
  const cachedBody = request('svc193.db');
  const results = {};
  try {
    const headers = { 'content-type': 'application/json' };
    results.bare = summary(
      await load({ url: `${bare.url}/v1/zt-policy/decisions`, headers, body: cachedBody }),
    );

    const product = await startProduct(dataDir, { DECISION_LOG_SAMPLE_RATE: '1' });
    const auth = { ...headers, authorization: `Bearer ${product.pep}` };
    const url = `${product.url}/v1/zt-policy/decisions`;
    results.cached = summary(await load({ url, headers: auth, body: cachedBody }));
    let n = 0;
    results.uncached = summary(
      await load({
        url,
        headers: auth,
        // A resource never asked before on every request: every decision misses the cache.
        requests: [{ setupRequest: (req) => ({ ...req, body: request(`svc${n % POLICIES}.r${n++}`) }) }],
      }),
    );
    const rate = Math.floor(results.cached.rps * 0.7);
    results.openLoop = {
      rate,
      ...summary(await load({ url, headers: auth, body: cachedBody, overallRate: rate, connections: 64 })),
    };
    await product.stop();

    const unlogged = await startProduct(dataDir, { DECISION_LOG_SAMPLE_RATE: '0' });
    results.cachedUnlogged = summary(
      await load({
        url: `${unlogged.url}/v1/zt-policy/decisions`,
        headers: { ...headers, authorization: `Bearer ${unlogged.pep}` },
        body: cachedBody,
      }),
    );
    await unlogged.stop();
  } finally {
    await bare.stop();
    if (shared) await (await shared).stop();
    shared = undefined;
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return { durationSeconds: DURATION, connections: CONNECTIONS, policies: POLICIES, ...results };
}

module.exports = { runHttpBench };
