// Replay benchmark (`npm run bench -- replay`): the standalone product in this process, with
// BENCH_REPLAY_DECISIONS (100,000) recorded decisions in its audit store, and
// `POST /v1/zt-policy/changesets:simulate` replaying all of them over HTTP, end to end. Baselines
// from the same run: reading the same recorded inputs over HTTP without evaluating them, and
// evaluating them before and after the change in process without reading them.
require('reflect-metadata');
const { randomUUID } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const DIST = path.join(__dirname, '..', '..', 'dist');
const { startStandalone } = require(path.join(DIST, 'libs/runtime/src'));
const { loadConfig } = require(path.join(DIST, 'libs/config/src'));
const { MessageBus } = require(path.join(DIST, 'libs/messaging/src'));
const { DevIssuer } = require(path.join(DIST, 'libs/auth/src'));
const { ALL_SERVICES } = require(path.join(DIST, 'apps/standalone/src/services'));
const { replaySides } = require(path.join(DIST, 'apps/policy-admin/src/replay/replay-state'));
const { ReplayAccumulator } = require(path.join(DIST, 'apps/policy-admin/src/replay/replay-impact'));
const { parsePolicy } = require(path.join(DIST, 'libs/policy-engine/src'));
const { DataSource } = require('typeorm');
const { decisionBatches } = require('../audit-ingest/decision-batches');

const DECISIONS = Number(process.env.BENCH_REPLAY_DECISIONS ?? 100_000);
const POLICIES = 200;
const USERS = 1000;
const TEAMS = 20;
const RUNS = 3;

const policy = (i, effect = 'allow') => ({
  id: `pol_${i}`,
  name: `service ${i}`,
  subjects: [`role:team-${i % TEAMS}`],
  resources: [`svc${i}.*`],
  actions: ['read', 'write'],
  effect,
  conditions: { risk_score_max: 80, ...(i % 2 === 0 ? { mfa: true } : {}) },
});

/** One recorded decision, as the decision log holds it with its input. */
function recorded(n) {
  const user = n % USERS;
  const service = n % POLICIES;
  const input = {
    subject: {
      type: 'user',
      id: `u${user}@company.com`,
      roles: [`team-${user % TEAMS}`],
      groups: ['staff'],
      attributes: { department: `d${user % 7}` },
    },
    action: n % 3 === 0 ? 'write' : 'read',
    resource: { type: 'service', id: `svc${service}.db` },
    context: { amr: n % 4 === 0 ? ['pwd'] : ['pwd', 'otp'], risk_score: n % 100, ip: `10.0.${n % 250}.1` },
  };
  return {
    decisionId: randomUUID(),
    requestDigest: 'bench',
    decision: 'allow',
    subject: input.subject.id,
    action: input.action,
    resource: input.resource.id,
    policies: [],
    revision: 1,
    latencyMs: 0.05,
    sampleRate: 1,
    at: new Date(Date.now() - (DECISIONS - n) * 10).toISOString(),
    input,
  };
}

async function waitForRecords(dataSource, count) {
  for (;;) {
    const rows = await dataSource.query(
      `SELECT count(*) AS n FROM audit.records WHERE type = 'com.zt.decision.made'`,
    );
    if (Number(rows[0].n) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function runReplayBench() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-bench-replay-'));
  const config = loadConfig({
    ...process.env,
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    GRPC_PORT: '0',
    LOG_LEVEL: 'warn',
  });
  const running = await startStandalone(ALL_SERVICES, config);
  try {
    const issuer = await DevIssuer.loadOrCreate(dataDir);
    const root = await issuer.mint({ sub: 'bench-root', roles: ['infra_admin'], mfa: true });
    const post = async (route, body) => {
      const response = await fetch(`${running.url}${route}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${root}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const answer = await response.json();
      if (response.status !== 200) throw new Error(`${route}: ${response.status} ${JSON.stringify(answer)}`);
      return answer;
    };
    for (let first = 0; first < POLICIES; first += 100) {
      const changes = [];
      for (let i = first; i < Math.min(POLICIES, first + 100); i++)
        changes.push({ op: 'put', kind: 'policy', id: `pol_${i}`, document: policy(i) });
      await post('/v1/zt-policy/changesets', { changes });
    }
    // The recorded history, published as the decision replica publishes it.
    const bus = running.app.get(MessageBus);
    const loadStarted = performance.now();
    const { events } = decisionBatches(DECISIONS, recorded);
    for (let first = 0; first < events.length; first += 100) {
      const messages = events.slice(first, first + 100).map((event) => ({ key: event.id, event }));
      await bus.publish('zt.decision.log', messages);
    }
    await waitForRecords(running.app.get(DataSource, { strict: false }), DECISIONS);
    const loadSeconds = (performance.now() - loadStarted) / 1000;

    // The change: ten services swap allow for deny.
    const change = { changes: [] };
    for (let i = 0; i < 10; i++)
      change.changes.push({ op: 'put', kind: 'policy', id: `pol_${i}`, document: policy(i, 'deny') });

    const simulateMs = [];
    let impact;
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      impact = await post('/v1/zt-policy/changesets:simulate', { ...change, replay: { limit: DECISIONS } });
      simulateMs.push(performance.now() - started);
    }

    // Baseline 1: the same inputs read over HTTP, page by page, and nothing else.
    const readMs = [];
    let items = [];
    for (let run = 0; run < RUNS; run++) {
      items = [];
      const started = performance.now();
      let cursor;
      do {
        const query = new URLSearchParams({ limit: '10000', ...(cursor ? { cursor } : {}) });
        const response = await fetch(`${running.url}/v1/zt-policy/audit/decision-inputs?${query}`, {
          headers: { authorization: `Bearer ${root}` },
        });
        const page = await response.json();
        items.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor && items.length < DECISIONS);
      readMs.push(performance.now() - started);
    }

    // Baseline 2: the same inputs evaluated before and after the change, in process.
    const snapshot = {
      revision: 0,
      policies: Array.from({ length: POLICIES }, (_, i) => ({
        policyId: `pol_${i}`,
        version: 1,
        revision: i + 1,
        format: 'zt',
        document: policy(i),
      })),
      principals: [],
      resources: [],
    };
    const edits = change.changes.map((c) => ({
      kind: 'policy',
      id: c.id,
      policy: parsePolicy(c.document, { defaultId: c.id }).policy,
    }));
    const evaluateMs = [];
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      const { before, after } = replaySides(snapshot, edits);
      const replay = new ReplayAccumulator(before, after, new Set(edits.map((e) => e.id)));
      for (const item of items) replay.add(item);
      replay.result();
      evaluateMs.push(performance.now() - started);
    }
    return {
      decisions: DECISIONS,
      policies: POLICIES,
      loadSeconds,
      simulateMs,
      readMs,
      evaluateMs,
      replayed: impact.replay.replayed,
      changed: impact.replay.changed,
      flips: impact.replay.flips.map((f) => ({ from: f.from, to: f.to, count: f.count })),
      simulateS: median(simulateMs) / 1000,
      readS: median(readMs) / 1000,
      evaluateS: median(evaluateMs) / 1000,
    };
  } finally {
    await running.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function replayReport(r, meta) {
  const ratio = (a, b) => (a / b).toFixed(2);
  return [
    `### Replay (${meta.date}, ${meta.cpus} × ${meta.cpuModel}, Node ${meta.node})`,
    '',
    `Standalone, ${r.decisions.toLocaleString('en')} recorded decisions in the audit store, ${r.policies} policies; a change set that turns 10 of them from allow to deny. Median of ${r.simulateMs.length} runs.`,
    '',
    '| What | Seconds | Ratio to simulate |',
    '| --- | ---: | ---: |',
    `| \`POST /changesets:simulate\`, end to end over HTTP (target ≤ 5 s) | ${r.simulateS.toFixed(2)} | 1.00 |`,
    `| Baseline: reading the same inputs over HTTP, 10,000 a page, nothing evaluated | ${r.readS.toFixed(2)} | ${ratio(r.readS, r.simulateS)} |`,
    `| Baseline: evaluating them before and after the change in process, nothing read | ${r.evaluateS.toFixed(2)} | ${ratio(r.evaluateS, r.simulateS)} |`,
    '',
    `Replayed ${r.replayed.toLocaleString('en')}, changed ${r.changed.toLocaleString('en')} (${r.flips.map((f) => `${f.from} → ${f.to}: ${f.count.toLocaleString('en')}`).join(', ')}). Simulate costs ${ratio(r.simulateS, r.readS + r.evaluateS)}× the sum of the two baselines. Loading the history took ${r.loadSeconds.toFixed(1)} s (audit ingest, not part of the figure).`,
  ].join('\n');
}

module.exports = { runReplayBench, replayReport };
