// Turns benchmark results into the markdown tables of docs/benchmarks.md.
const fmt = (n, digits = 1) => (n >= 100 ? n.toFixed(0) : n.toFixed(digits));

function engineReport({ rounds, sizes: results, memory }, meta) {
  const latency = (m) => `${fmt(m.l2Ns)} / ${fmt(m.l3Ns)} / ${fmt(m.dramNs)} ns`;
  const lines = [
    `Engine run: ${meta.date}, ${meta.cpus} × ${meta.cpuModel}, Node ${meta.node}; our engine in ${rounds} interleaved rounds (median; best round in parentheses), Cedar and Casbin once.`,
    '',
    '| policies | ours p50 µs | ours p99 µs | ours decisions/s | ours p50 µs, Zipf | Cedar p50 µs | Casbin p50 µs | Cedar ÷ ours (p50) | Casbin ÷ ours (p50) | same decisions |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of results) {
    const o = r.ours;
    lines.push(
      `| ${r.policies} | ${fmt(o.p50us, 2)} (${fmt(o.best, 2)}) | ${fmt(o.p99us, 2)} | ${fmt(o.opsPerSec, 0)} | ${fmt(o.zipf.p50us, 2)} (${fmt(o.zipf.best, 2)}) | ${r.cedar ? fmt(r.cedar.p50us) : '–'} | ${
        r.casbin ? fmt(r.casbin.p50us) : '–'
      } | ${r.cedar ? `${fmt(r.cedar.p50us / o.p50us)}×` : '–'} | ${r.casbin ? `${fmt(r.casbin.p50us / o.p50us)}×` : '–'} | ${
        r.agreement
          ? `Cedar ${(r.agreement.cedar * 100).toFixed(0)}%, Casbin ${(r.agreement.casbin * 100).toFixed(0)}%`
          : '–'
      } |`,
    );
  }
  const first = results[0];
  const last = results[results.length - 1];
  lines.push(
    '',
    '| policies | parse ms | compile + index ms | heap bytes per policy |',
    '| ---: | ---: | ---: | ---: |',
    ...results.map(
      (r) =>
        // At 10 policies the heap delta is noise (other allocations dwarf it), so it is not shown.
        `| ${r.policies} | ${fmt(r.ours.parseMs)} | ${fmt(r.ours.compileMs)} | ${r.policies >= 1000 ? fmt(r.ours.bytesPerPolicy, 0) : '–'} |`,
    ),
    '',
    `p50 at ${last.policies} policies ÷ p50 at ${first.policies}: ${fmt(last.ours.p50us / first.ours.p50us, 2)}× with every policy equally likely (best rounds: ${fmt(last.ours.best / first.ours.best, 2)}×); ${fmt(last.ours.zipf.p50us / first.ours.zipf.p50us, 2)}× with a Zipf popularity (best rounds: ${fmt(last.ours.zipf.best / first.ours.zipf.best, 2)}×).`,
    `Memory latency of this machine during the run (dependent random reads over 256 KB / 4 MB / 64 MB): ${latency(memory.before)} before, ${latency(memory.after)} after.`,
  );
  return lines.join('\n');
}

function httpReport(r, meta) {
  const closed = (name, x) =>
    `| ${name} | ${x.rps} | ${x.rounds ? x.rounds.join(', ') : '–'} | ${x.p50} | ${x.p99} | ${x.p999} | ${x.serverCpuUs} | ${x.requestThreadCpuUs} | ${x.generatorBusy}% | ${x.failed} |`;
  const open = (name, x) =>
    `| ${name} | ${x.rps} | ${fmt(x.p50, 2)} | ${fmt(x.p99, 2)} | ${x.rounds.map((p) => fmt(p, 2)).join(', ')} | ${fmt(x.p999, 2)} | ${fmt(x.max, 2)} | ${x.failed} | ${fmt(x.generatorDelayP99, 1)} / ${fmt(x.generatorDelayMax, 1)} |`;
  return [
    `HTTP run: ${meta.date}, ${meta.cpus} × ${meta.cpuModel}, Node ${meta.node}; ${r.connections} connections, ${r.durationSeconds} s per run, ${r.rounds} interleaved rounds (median shown), ${r.policies} policies; ${
      r.coresPlaced
        ? "each server's request thread on core 0, the load generator, Kafka and policy-admin on core 1"
        : 'load generator, Kafka and servers share the machine (no core placement)'
    }; the generator ${r.generatorRealtime ? 'at a real-time priority (SCHED_FIFO)' : 'at normal priority (no right to raise it)'} during the open loop.`,
    '',
    '| closed loop (maximum) | requests/s (median) | each round | p50 ms | p99 ms | p99.9 ms | server CPU µs per request | request thread CPU µs per request | generator busy | failed |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    closed('bare Fastify handler (baseline)', r.bare),
    closed('decision API, cached', r.cached),
    closed('decision API, cached, allow decisions not logged', r.cachedUnlogged),
    closed('decision API, uncached (one run)', r.uncached),
    '',
    `| open loop at ${r.openLoop.rate}/s (70% of the cached maximum of ${r.openLoop.referenceRps}/s measured just before), ${r.rounds} rounds in rotating order, the round with the median p99 shown | requests/s | p50 ms | p99 ms | p99 ms of each round | p99.9 ms | max ms | failed | generator's own event-loop delay p99 / max ms |`,
    '| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |',
    open('decision API, cached', r.openLoop),
    open('decision API, cached, allow decisions not logged', r.openLoopUnlogged),
    open('bare Fastify handler, same rate', r.openLoopBare),
    ...(r.openLoopBareOwn
      ? [
          open(
            `bare Fastify handler at ${r.openLoopBareOwn.rate}/s, 70% of its own maximum of ${r.openLoopBareOwn.referenceRps}/s`,
            r.openLoopBareOwn,
          ),
        ]
      : []),
    '',
    `Cached ÷ bare throughput: ${fmt(r.cached.rps / r.bare.rps, 2)} (target ≥ 0.5). Uncached ÷ bare: ${fmt(r.uncached.rps / r.bare.rps, 2)}.`,
    `p99 at 70% of the cached maximum: ${fmt(r.openLoop.p99, 2)} ms (target ≤ 5 ms); without the decision log: ${fmt(r.openLoopUnlogged.p99, 2)} ms; the bare handler at the same rate: ${fmt(r.openLoopBare.p99, 2)} ms${
      r.openLoopBareOwn ? `, at 70% of its own maximum: ${fmt(r.openLoopBareOwn.p99, 2)} ms` : ''
    }.`,
    `Decision logging cost: ${fmt((1 - r.cached.rps / r.cachedUnlogged.rps) * 100, 1)}% of throughput (target ≤ 10%); ${r.cached.serverCpuUs - r.cachedUnlogged.serverCpuUs} µs of server CPU per decision, of which ${r.cached.requestThreadCpuUs - r.cachedUnlogged.requestThreadCpuUs} µs on the request thread.`,
  ].join('\n');
}

function propagationReport(r, meta) {
  const met = (ok) => (ok ? 'met' : 'not met');
  const seconds = (ms) => (ms === null || ms === undefined ? '–' : (ms / 1000).toFixed(2));
  const row = (p) =>
    `| ${p.policies} | ${fmt(p.p50)} | ${fmt(p.p99)} | ${fmt(p.max)} | ${seconds(p.readyMs)} | ${seconds(p.fetchToReadyMs)} | ${seconds(p.caughtUpMs)} | ${p.starts.map((s) => seconds(s.readyMs)).join(', ')} | ${fmt(p.rssMb, 0)} |`;
  const { few, many } = r;
  return [
    `Propagation run: ${meta.date}, ${meta.cpus} × ${meta.cpuModel}, Node ${meta.node}; ${many.rounds} rounds per phase; ${many.starts.length} replica starts per phase (median shown); ${many.policies} policies loaded in bulk in ${seconds(many.load.sqlMs + many.load.kafkaMs)} s (SQL ${seconds(many.load.sqlMs)} s, Kafka ${seconds(many.load.kafkaMs)} s).`,
    '',
    '| policies | PUT → enforced p50 ms | p99 ms | max ms | new replica: start → /readyz 200, s | snapshot fetch start → /readyz 200, s | start → policy topic replayed, s | start → ready, each start, s | replica RSS MB |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
    row(few),
    row(many),
    '',
    `Propagation p99 with ${many.policies} policies: ${fmt(many.p99)} ms, ${fmt(many.p99 / few.p99, 2)}× the ${fmt(few.p99)} ms with ${few.policies} (target ≤ 250 ms: ${met(many.p99 <= 250)}).`,
    `New replica ready from the snapshot with ${many.policies} policies: ${seconds(many.readyMs)} s from process start, ${seconds(many.fetchToReadyMs)} s from snapshot fetch start; with ${few.policies}: ${seconds(few.readyMs)} s and ${seconds(few.fetchToReadyMs)} s (target ≤ 5 s: ${met(many.readyMs <= 5000)}).`,
    `The replica's own account of its last start with ${many.policies} policies: ${many.starts[many.starts.length - 1].log.filter((l) => !l.startsWith('fetching')).join('; ')}.`,
    `Rollout status (\`GET /status\`, commit to last replica) sampled every 20 rounds with ${many.policies} policies: ${
      many.statusPropagationMs.map((x) => `${x} ms`).join(', ') || 'none'
    }.`,
  ].join('\n');
}

function auditIngestReport(r, meta) {
  const met = (ratio) => (ratio >= r.target ? 'met' : 'not met');
  const row = (name, x) =>
    `| ${name} | ${fmt(x.decisions.rps, 0)} | ${fmt(x.backlog.recordsPerSecond, 0)} | ${fmt(x.ratio, 2)}× (${met(x.ratio)}) | ${fmt(
      (x.lagMs ?? x.live.lagMs) / 1000,
      2,
    )} | ${x.verify.count ? `${fmt(x.verify.p50)} / ${fmt(x.verify.max)} (${x.verify.count} answers, ${x.verify.refused} refused)` : '–'} | ${fmt(x.exitMs / 1000, 2)} |`;
  const sa = r.standalone;
  return [
    `Audit ingest run: ${meta.date}, ${meta.cpus} × ${meta.cpuModel}, Node ${meta.node}; decision loads of ${r.durationSeconds} s at the maximum (closed loop, every decision logged); standalone capacity from a backlog of ${sa.backlog.decisions} decisions on the bus.`,
    '',
    '| mode | decision API maximum, decisions/s | audit ingest, records/s (backlog) | ingest ÷ maximum (target ≥ 1.5×) | load end → last record stored, s | verify during ingest, p50 / max ms (answers, refused by admission control) | exit after SIGTERM, s |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('standalone (PGlite, in-process bus)', sa),
    row('distributed (PostgreSQL, Kafka)', r.distributed),
    '',
    `Audit CPU per record while draining a backlog: standalone ${fmt(sa.backlog.cpuUsPerRecord)} µs (the whole process, embedded database included), distributed ${fmt(r.distributed.backlog.cpuUsPerRecord)} µs (the audit process; PostgreSQL's own work not included).`,
    `Standalone: ${sa.backlog.stored} of ${sa.backlog.decisions} backlog decisions stored in ${fmt(sa.backlog.seconds, 2)} s; SIGTERM at the end of a load, then a restart: ${sa.afterRestart.stored} of ${sa.afterRestart.answered} answered decisions in the store, chain ${sa.afterRestart.valid ? 'verifies' : 'BROKEN'}.`,
    `Standalone's backlog drains while verify is asked once a second (a full pass over the chain each time); distributed's backlog drains alone (the ingest path: chaining, batching, PostgreSQL), and verify is asked once a second during its live load instead.`,
    `Distributed: a backlog of ${r.distributed.backlog.decisions} decisions drained in ${fmt(r.distributed.backlog.seconds, 2)} s by a fresh audit service; with the audit service running during the load, the last record was stored ${fmt(r.distributed.live.lagMs / 1000, 2)} s after the load ended.`,
  ].join('\n');
}

module.exports = { engineReport, httpReport, propagationReport, auditIngestReport };
