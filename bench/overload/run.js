// The decision API past its capacity. Its closed-loop maximum is measured first (median of a few
// rounds); then open-loop load at 50% of it (the reference latency), and at 1×, 2× and 3×, for
// the decision API with admission control as configured, the same API with admission control off
// (what queuing does), and the bare Fastify handler at the same multiples of its own maximum
// (a server with no admission control and nothing behind it). Each answer is counted as admitted
// (200) or refused (503); goodput is admitted answers per second, and the latency of admitted
// requests runs from their due time, so a request that waited anywhere (in the generator for a
// free connection, in a socket buffer, in the event loop) shows it.
//
// Many connections (BENCH_OVERLOAD_CONNECTIONS): with few, the queue of an overloaded server
// forms in the generator, waiting for a free connection, where no server can see it; PEPs in
// front of many users open many connections, or multiplex them over HTTP/2 and gRPC.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT, startProcess, devToken } = require('../support');
const { brokerPid, corePlacement, generatorPriority } = require('../http/cores');
const { openLoop } = require('../http/open-loop');
const { closedLoop, startAdmin, startDecision, request, median, DECISIONS } = require('../http/run');

/** The run with the median `field`, with every run's `field` as `rounds`. */
const medianBy = (runs, field) => {
  const sorted = [...runs].sort((a, b) => a[field] - b[field]);
  return { ...sorted[Math.floor(sorted.length / 2)], rounds: runs.map((r) => r[field]) };
};

/**
 * Holds the one slot of a decision process started with ADMISSION_MAX_IN_FLIGHT=1: a request
 * waiting for a revision that will not come, so that every other request is refused. Resolves
 * once the slot is taken; `release()` drops the connection, which frees it.
 */
async function holdTheSlot(server, headers, body) {
  for (;;) {
    const abort = new AbortController();
    let settled = false;
    const held = fetch(`${server.url}${DECISIONS}`, {
      method: 'POST',
      headers: { ...headers, 'zt-min-revision': '1000000000' },
      body,
      signal: abort.signal,
    })
      .then((r) => r.arrayBuffer())
      .catch(() => undefined)
      .finally(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const probe = await fetch(`${server.url}${DECISIONS}`, { method: 'POST', headers, body });
    await probe.arrayBuffer();
    const release = async () => {
      abort.abort();
      await held;
    };
    if (!settled && probe.status === 503) return { release };
    await release();
  }
}

const SECONDS = Number(process.env.BENCH_OVERLOAD_SECONDS ?? 6);
const ROUNDS = Number(process.env.BENCH_OVERLOAD_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_OVERLOAD_CONNECTIONS ?? 1024);
const LOADS = [0.5, 1, 2, 3];

async function runOverloadBench() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-bench-overload-'));
  const started = [];
  const results = { connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS };
  let infra;
  try {
    const bare = await startProcess('bench/http/bare-fastify.js', {});
    started.push(bare);
    infra = await startAdmin(dataDir);
    const pep = devToken(dataDir, 'bench-pep', ['pep']);
    // Admission control as the environment sets it; the event-loop limit, off by default, at 20 ms.
    const guarded = await startDecision(infra, pep, {
      ADMISSION_EVENT_LOOP_DELAY_MS: process.env.ADMISSION_EVENT_LOOP_DELAY_MS ?? '20',
    });
    started.push(guarded);
    const unguarded = await startDecision(infra, pep, {
      ADMISSION_EVENT_LOOP_DELAY_MS: '0',
      ADMISSION_MAX_IN_FLIGHT: '0',
    });
    started.push(unguarded);
    // Refuses every request (its one slot held): what a refusal costs.
    const refuser = await startDecision(infra, pep, {
      ADMISSION_MAX_IN_FLIGHT: '1',
      ADMISSION_EVENT_LOOP_DELAY_MS: '0',
      MIN_REVISION_WAIT_MS: '30000',
    });
    started.push(refuser);
    const cores = corePlacement();
    for (const pid of [process.pid, infra.admin.pid, brokerPid(ROOT)]) if (pid) cores.shared(pid);
    for (const server of [bare, guarded, unguarded, refuser]) cores.server(server.pid);
    results.coresPlaced = cores.placed;
    results.admission = {
      eventLoopDelayMs: process.env.ADMISSION_EVENT_LOOP_DELAY_MS ?? '20',
      maxInFlight: process.env.ADMISSION_MAX_IN_FLIGHT ?? 'default',
    };

    const headers = { 'content-type': 'application/json', authorization: `Bearer ${pep}` };
    const body = request('svc193.db');
    const maxima = { guarded: [], bare: [], refusals: [] };
    for (let round = 0; round < ROUNDS; round++) {
      maxima.guarded.push(await closedLoop(guarded, { headers, body }));
      maxima.bare.push(await closedLoop(bare, { headers, body }));
      const slot = await holdTheSlot(refuser, headers, body);
      maxima.refusals.push(await closedLoop(refuser, { headers, body }));
      await slot.release();
    }
    results.maximum = median(maxima.guarded);
    results.bareMaximum = median(maxima.bare);
    results.refusals = median(maxima.refusals);

    const open = async (server, rate) => {
      const load = { url: `${server.url}${DECISIONS}`, headers, body, connections: CONNECTIONS };
      await openLoop({ ...load, rate: Math.min(rate, 2_000), seconds: 1 }); // warm-up: connections, JIT
      return openLoop({ ...load, rate, seconds: SECONDS });
    };
    const priority = generatorPriority();
    results.generatorRealtime = priority.raise();
    try {
      // Interleaved rounds, the order of the three servers rotating: the machine's speed drifts.
      const order = [
        ['guarded', guarded, results.maximum.rps],
        ['unguarded', unguarded, results.maximum.rps],
        ['bare', bare, results.bareMaximum.rps],
      ];
      const runs = Object.fromEntries(order.map(([name]) => [name, LOADS.map(() => [])]));
      for (let round = 0; round < ROUNDS; round++) {
        for (const [i, load] of LOADS.entries()) {
          for (let k = 0; k < order.length; k++) {
            const [name, server, reference] = order[(round + k) % order.length];
            runs[name][i].push({ load, ...(await open(server, Math.round(reference * load))) });
          }
        }
      }
      // Per load, the round with the median admitted p99, with every round's goodput.
      for (const [name] of order) {
        results[name] = runs[name].map((list) => ({
          ...medianBy(list, 'okP99'),
          goodputRounds: list.map((x) => x.okRps),
        }));
      }
    } finally {
      priority.restore();
    }
  } finally {
    for (const server of started) await server.stop();
    if (infra) await infra.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  return results;
}

module.exports = { runOverloadBench };
