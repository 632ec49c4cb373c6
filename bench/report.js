// Turns benchmark results into the markdown tables of docs/benchmarks.md.
const fmt = (n, digits = 1) => (n >= 100 ? n.toFixed(0) : n.toFixed(digits));

function engineReport(results, meta) {
  const lines = [
    `Engine run: ${meta.date}, ${meta.cpus} × ${meta.cpuModel}, Node ${meta.node}.`,
    '',
    '| policies | ours p50 µs | ours p99 µs | ours decisions/s | Cedar p50 µs | Casbin p50 µs | Cedar ÷ ours (p50) | Casbin ÷ ours (p50) | same decisions |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of results) {
    const o = r.ours;
    lines.push(
      `| ${r.policies} | ${fmt(o.p50us)} | ${fmt(o.p99us)} | ${fmt(o.opsPerSec, 0)} | ${r.cedar ? fmt(r.cedar.p50us) : '–'} | ${
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
        `| ${r.policies} | ${fmt(r.ours.parseMs)} | ${fmt(r.ours.compileMs)} | ${fmt(r.ours.bytesPerPolicy, 0)} |`,
    ),
    '',
    `p50 at ${last.policies} policies ÷ p50 at ${first.policies}: ${fmt(last.ours.p50us / first.ours.p50us, 2)}×.`,
  );
  return lines.join('\n');
}

module.exports = { engineReport };
