// Policy engine benchmark: our engine at 10 to 100k policies, and Cedar (prepared policy set)
// and Casbin on the same policies and requests, in the same run. `npm run bench:engine`.
const { performance } = require('node:perf_hooks');
const path = require('node:path');
const { measure } = require('./measure');
const workload = require('./workload');
const { memoryLatencyNs } = require('./memory-latency');

const engine = require(path.join(__dirname, '..', '..', 'dist', 'libs', 'policy-engine', 'src', 'index.js'));
const cedar = require('@cedar-policy/cedar-wasm/nodejs');
const casbin = require('casbin');

const SIZES = (process.env.BENCH_SIZES ?? '10,1000,10000,100000').split(',').map(Number);
const PEER_MAX = Number(process.env.BENCH_PEER_MAX ?? 10000);

function heapUsed() {
  global.gc?.();
  global.gc?.();
  return process.memoryUsage().heapUsed;
}

const toInput = (r) => ({
  subject: { id: r.user, groups: [r.group] },
  action: r.action,
  resource: { id: r.resource },
  context: { device: { posture: r.posture }, country: r.country },
});

function ours(n, reqs) {
  const documents = workload.ztPolicies(n);
  const t0 = performance.now();
  const parsed = documents.map((d) => {
    const r = engine.parsePolicy(d);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    return r.policy;
  });
  const parseMs = performance.now() - t0;
  const before = heapUsed();
  const t1 = performance.now();
  const set = new engine.PolicySet();
  for (const p of parsed) set.upsert(p);
  const compileMs = performance.now() - t1;
  const bytesPerPolicy = (heapUsed() - before) / n;
  const inputs = reqs.map(toInput);
  const decisions = inputs.map((i) => set.evaluate(i).decision);
  // The same set asked with a Zipf popularity (a realistic hot set), after the uniform run.
  const zipf = measure((i) => set.evaluate(i), workload.requests(n, reqs.length, 'zipf').map(toInput));
  return {
    ...measure((i) => set.evaluate(i), inputs),
    zipf: { p50us: zipf.p50us, p99us: zipf.p99us },
    parseMs,
    compileMs,
    bytesPerPolicy,
    decisions,
  };
}

function cedarRun(n, reqs) {
  const t0 = performance.now();
  const id = `bench-${n}`;
  const answer = cedar.preparsePolicySet(id, { staticPolicies: workload.cedarPolicies(n) });
  if (answer.type !== 'success') throw new Error(JSON.stringify(answer));
  const compileMs = performance.now() - t0;
  const inputs = reqs.map((r) => ({
    principal: { type: 'User', id: r.user },
    action: { type: 'Action', id: r.action },
    resource: { type: 'Resource', id: r.resource },
    context: { posture: r.posture, country: r.country },
    preparsedPolicySetId: id,
    entities: [
      { uid: { type: 'User', id: r.user }, attrs: {}, parents: [{ type: 'Group', id: r.group }] },
      { uid: { type: 'Resource', id: r.resource }, attrs: { rid: r.resource }, parents: [] },
    ],
  }));
  const decide = (i) => cedar.statefulIsAuthorized(i).response.decision;
  const decisions = inputs.map(decide);
  return { ...measure(decide, inputs, { minCalls: 2000 }), compileMs, decisions };
}

async function casbinRun(n, reqs) {
  const t0 = performance.now();
  const enforcer = await casbin.newEnforcer(casbin.newModelFromString(workload.CASBIN_MODEL));
  await enforcer.addPolicies(workload.casbinRules(n));
  await enforcer.addGroupingPolicies(
    [...new Set(reqs.map((r) => `${r.user}\u0000${r.group}`))].map((s) => s.split('\u0000')),
  );
  const compileMs = performance.now() - t0;
  const inputs = reqs.map((r) => [r.user, r.resource, r.action, r.posture, r.country]);
  const decide = (i) => (enforcer.enforceSync(...i) ? 'allow' : 'deny');
  const decisions = inputs.map(decide);
  return { ...measure(decide, inputs, { minCalls: 1000 }), compileMs, decisions };
}

function agreement(a, b) {
  return a.filter((d, i) => d === b[i]).length / a.length;
}

/** Memory latency of the machine now: within the L2 cache, the L3 cache, and main memory. */
function memoryLatency() {
  return { l2Ns: memoryLatencyNs(0.25), l3Ns: memoryLatencyNs(4), dramNs: memoryLatencyNs(64) };
}

async function main() {
  const results = [];
  const memoryBefore = memoryLatency();
  for (const n of SIZES) {
    const reqs = workload.requests(n);
    const row = { policies: n, ours: ours(n, reqs) };
    if (n <= PEER_MAX) {
      row.cedar = cedarRun(n, reqs);
      row.casbin = await casbinRun(n, reqs);
      row.agreement = {
        cedar: agreement(row.ours.decisions, row.cedar.decisions),
        casbin: agreement(row.ours.decisions, row.casbin.decisions),
      };
    }
    const allowed = row.ours.decisions.filter((d) => d === 'allow').length;
    for (const k of ['ours', 'cedar', 'casbin']) if (row[k]) delete row[k].decisions;
    row.allowShare = allowed / reqs.length;
    results.push(row);
    process.stderr.write(`${n} policies done\n`);
  }
  return { sizes: results, memory: { before: memoryBefore, after: memoryLatency() } };
}

module.exports = { runEngineBench: main };

if (require.main === module) {
  main()
    .then((results) => process.stdout.write(`${JSON.stringify(results, null, 2)}\n`))
    .catch((error) => {
      process.stderr.write(`${error.stack}\n`);
      process.exit(1);
    });
}
