// The overload benchmark as markdown for docs/benchmarks.md.
const fmt = (n, digits = 1) => (n >= 100 ? n.toFixed(0) : n.toFixed(digits));
const pct = (x) => `${Math.round(x * 100)}%`;

function overloadReport(r, meta) {
  const row = (name, x, reference) =>
    `| ${name} | ${x.load}× (${x.rate}/s) | ${x.sentRate} | ${x.okRps} | ${pct(x.okRps / reference)} | ${x.goodputRounds.join(', ')} | ${x.shed} | ${x.failed - x.shed} | ${fmt(x.okP50, 2)} | ${fmt(x.okP99, 2)} | ${x.rounds.map((p) => fmt(p, 1)).join(', ')} | ${fmt(x.shedP99, 2)} | ${fmt(x.generatorDelayP99, 1)} |`;
  const at = (runs, load) => runs.find((x) => x.load === load);
  const ratios = (runs, reference) => {
    const half = at(runs, 0.5);
    const triple = at(runs, 3);
    return { goodput: triple.okRps / reference, p99: triple.okP99 / half.okP99, half, triple };
  };
  const guarded = ratios(r.guarded, r.maximum.rps);
  const unguarded = ratios(r.unguarded, r.maximum.rps);
  const bare = ratios(r.bare, r.bareMaximum.rps);
  const met = (ok) => (ok ? 'met' : 'not met');
  // Every refusal is answered on the same thread as the decisions: with k = its cost ÷ a
  // decision's, serving g of the maximum while refusing the rest of 3× takes g + (3 − g)·k of
  // the thread, so g ≤ (1 − 3k) ÷ (1 − k) if nothing is to wait.
  const k = r.refusals.requestThreadCpuUs / r.maximum.requestThreadCpuUs;
  const ceiling = Math.max(0, (1 - 3 * k) / (1 - k));
  return [
    `Overload run: ${meta.date}, ${meta.cpus} × ${meta.cpuModel}, Node ${meta.node}; admission control ADMISSION_EVENT_LOOP_DELAY_MS=${r.admission.eventLoopDelayMs}, ADMISSION_MAX_IN_FLIGHT=${r.admission.maxInFlight}; open loop over ${r.connections} connections, ${r.seconds} s per load; ${
      r.coresPlaced
        ? "each server's request thread on core 0, the generator, Kafka and policy-admin on core 1"
        : 'no core placement'
    }; the generator ${r.generatorRealtime ? 'at a real-time priority' : 'at normal priority'}.`,
    `Closed-loop maxima (32 connections, median of ${r.rounds}): decision API, cached, ${r.maximum.rps}/s (${r.maximum.rounds.join(', ')}), ${r.maximum.requestThreadCpuUs} µs of request-thread CPU each; bare Fastify handler ${r.bareMaximum.rps}/s (${r.bareMaximum.rounds.join(', ')}), ${r.bareMaximum.requestThreadCpuUs} µs; refusals (a decision process refusing everything) ${r.refusals.rps}/s (${r.refusals.rounds.join(', ')}), ${r.refusals.requestThreadCpuUs} µs each (${r.refusals.failed} non-200 answers in the median round).`,
    '',
    `| server | offered (× its maximum) | sent/s | goodput (200/s) | goodput ÷ maximum | goodput of each round | refused (503) | other failures | admitted p50 ms | admitted p99 ms | admitted p99 of each round | refusal p99 ms | generator delay p99 ms |`,
    '| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |',
    ...r.guarded.map((x) => row('decision API, admission control', x, r.maximum.rps)),
    ...r.unguarded.map((x) => row('decision API, admission off', x, r.maximum.rps)),
    ...r.bare.map((x) => row('bare Fastify handler', x, r.bareMaximum.rps)),
    '',
    `Goodput at 3× ÷ maximum: ${fmt(guarded.goodput, 2)} (target ≥ 0.9: ${met(guarded.goodput >= 0.9)}); admission off ${fmt(unguarded.goodput, 2)}; bare handler ${fmt(bare.goodput, 2)}.`,
    `A refusal costs ${fmt(k, 2)} of a decision on the request thread: answering every refusal in the same thread, goodput at 3× can be at most ${fmt(ceiling, 2)} of the maximum without a backlog.`,
    `Admitted p99 at 3× ÷ p99 at 50%: ${fmt(guarded.p99, 1)} (${fmt(guarded.triple.okP99, 2)} ÷ ${fmt(guarded.half.okP99, 2)} ms; target ≤ 3: ${met(guarded.p99 <= 3)}); admission off ${fmt(unguarded.p99, 1)}; bare handler ${fmt(bare.p99, 1)}.`,
  ].join('\n');
}

module.exports = { overloadReport };
