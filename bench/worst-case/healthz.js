// How long /healthz takes to answer while one caller sends the costliest decisions the limits
// allow, on a standalone process (all four services on one event loop, as `npm start` runs):
// what everyone else sharing the decision point feels while a hostile caller does its worst.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { ROOT, startProcess, devToken, quantile } = require('../support');
const cases = require('./cases');

const ATTACK_MS = Number(process.env.BENCH_WORST_ATTACK_MS ?? 10_000);
const PROBE_EVERY_MS = 10;
const DECISIONS = '/v1/zt-policy/decisions';

async function probeHealthz(url, untilMs) {
  const samples = [];
  while (performance.now() < untilMs) {
    const t0 = performance.now();
    await fetch(`${url}/healthz`).then((r) => r.arrayBuffer());
    samples.push(performance.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
  }
  return samples.sort((a, b) => a - b);
}

const summary = (sorted) => ({
  count: sorted.length,
  p50Ms: quantile(sorted, 0.5),
  p99Ms: quantile(sorted, 0.99),
  maxMs: sorted[sorted.length - 1],
});

/** Idle and under-attack /healthz latencies, with the attack's own decisions. */
async function runHealthzBench(expressionName) {
  const dist = process.env.BENCH_DIST ?? path.join(ROOT, 'dist');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-bench-worst-'));
  const app = await startProcess(
    path.relative(ROOT, path.join(dist, 'apps', 'standalone', 'src', 'main.js')),
    {
      DATA_DIR: dataDir,
      DEV_ISSUER: 'true',
      RATE_LIMIT_PER_SECOND: '0',
    },
  );
  try {
    const admin = devToken(dataDir, 'bench-admin', ['policy_admin']);
    const pep = devToken(dataDir, 'bench-pep', ['pep']);
    const expression = cases.EXPRESSIONS[expressionName];
    const created = await fetch(`${app.url}/v1/zt-policy/policies`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...cases.PLAIN, id: undefined, name: 'costly', conditions: { expression } }),
    });
    if (created.status !== 201) throw new Error(`policy: HTTP ${created.status} ${await created.text()}`);
    // The baseline attack: the same callers looping on plain decisions (small request, no
    // expression), so the machine's own floor under load is measured by the same criterion.
    const plain = await fetch(`${app.url}/v1/zt-policy/policies`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...cases.PLAIN, id: undefined, name: 'plain', resources: ['plain.*'] }),
    });
    if (plain.status !== 201) throw new Error(`policy: HTTP ${plain.status} ${await plain.text()}`);
    let n = 0;
    const decide = async (costly = true) => {
      // A new resource id every time: the decision cache never answers for the engine.
      const body = costly
        ? { ...cases.LARGEST_REQUEST, resource: { id: `docs.${n++}` } }
        : { ...cases.SMALL_REQUEST, resource: { id: `plain.${n++}` } };
      const r = await fetch(`${app.url}${DECISIONS}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${pep}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const answer = await r.json();
      if (r.status !== 200) throw new Error(`decision: HTTP ${r.status} ${JSON.stringify(answer)}`);
      return answer;
    };
    for (const deadline = Date.now() + 30_000; ;) {
      const answer = await decide();
      if (answer.candidates.length > 0) break;
      if (Date.now() > deadline) throw new Error('the policy never reached the decision service');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const idle = await probeHealthz(app.url, performance.now() + 3000);
    /** /healthz while two callers loop on decisions for ATTACK_MS, and those decisions' times. */
    const attack = async (costly) => {
      const until = performance.now() + ATTACK_MS;
      const decisionMs = [];
      const attacker = async () => {
        while (performance.now() < until) {
          const t0 = performance.now();
          await decide(costly);
          decisionMs.push(performance.now() - t0);
        }
      };
      const [probes] = await Promise.all([probeHealthz(app.url, until), attacker(), attacker()]);
      decisionMs.sort((a, b) => a - b);
      return {
        healthz: summary(probes),
        decisions: { ...summary(decisionMs), perSecond: decisionMs.length / (ATTACK_MS / 1000) },
      };
    };
    const baseline = await attack(false);
    const costly = await attack(true);
    return {
      expression: expressionName,
      attackers: 2,
      idle: summary(idle),
      baselineAttack: baseline.healthz,
      baselineDecisions: baseline.decisions,
      underAttack: costly.healthz,
      decisions: costly.decisions,
    };
  } finally {
    await app.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const fmt = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));

/** Markdown lines for the /healthz figures. */
function healthzReport(h) {
  return [
    `/healthz on a standalone process while ${h.attackers} callers loop on the costliest decision ("${h.expression}" over the largest request, ${fmt(h.decisions.perSecond)} decisions/s, each ${fmt(h.decisions.p50Ms)} ms median, ${fmt(h.decisions.maxMs)} ms slowest over HTTP):`,
    '',
    '| /healthz | probes | p50 ms | p99 ms | slowest ms |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| idle | ${h.idle.count} | ${fmt(h.idle.p50Ms)} | ${fmt(h.idle.p99Ms)} | ${fmt(h.idle.maxMs)} |`,
    `| 2 callers looping on plain decisions (baseline; ${fmt(h.baselineDecisions.perSecond)} decisions/s) | ${h.baselineAttack.count} | ${fmt(h.baselineAttack.p50Ms)} | ${fmt(h.baselineAttack.p99Ms)} | ${fmt(h.baselineAttack.maxMs)} |`,
    `| 2 callers looping on the costliest decision | ${h.underAttack.count} | ${fmt(h.underAttack.p50Ms)} | ${fmt(h.underAttack.p99Ms)} | ${fmt(h.underAttack.maxMs)} |`,
  ].join('\n');
}

module.exports = { runHealthzBench, healthzReport };
