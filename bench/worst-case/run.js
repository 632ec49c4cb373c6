// Worst-case benchmark (`npm run bench -- worst-case`): the slowest single decision a caller can
// cause under the default limits, each against a plain one-policy decision measured in the same
// run. A decision here is what a caller's body costs the decision point's event loop: the
// decision-request checks (limits and schema), then the engine's evaluation; each call gets its
// own copy of the request, as each real decision does.
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const cases = require('./cases');
const { runHealthzBench, healthzReport } = require('./healthz');

const DIST = process.env.BENCH_DIST ?? path.join(__dirname, '..', '..', 'dist');
const engine = require(path.join(DIST, 'libs', 'policy-engine', 'src', 'index.js'));
const { decisionRequestErrors } = require(path.join(DIST, 'libs', 'contracts', 'src', 'index.js'));

/** The target for every case: the slowest decision stays under this. */
const TARGET_US = 10_000;
const RUNS = Number(process.env.BENCH_WORST_RUNS ?? 30);

function policySet(document) {
  const parsed = engine.parsePolicy(document);
  if (!parsed.ok) throw new Error(`refused: ${JSON.stringify(parsed.errors)}`);
  const set = new engine.PolicySet();
  set.upsert(parsed.policy);
  return set;
}

function decide(set, body) {
  const errors = decisionRequestErrors(body);
  if (errors.length > 0) throw new Error(`request refused: ${JSON.stringify(errors.slice(0, 3))}`);
  return set.evaluate(body);
}

/** Median and slowest of RUNS decisions (after a warm-up), in µs, with the last result. */
function time(set, request) {
  for (let i = 0; i < 5; i++) decide(set, structuredClone(request));
  const copies = Array.from({ length: RUNS }, () => structuredClone(request));
  const samples = [];
  let result;
  for (const copy of copies) {
    const t0 = performance.now();
    result = decide(set, copy);
    samples.push((performance.now() - t0) * 1000);
  }
  samples.sort((a, b) => a - b);
  return {
    minUs: samples[0],
    medianUs: samples[Math.floor(samples.length / 2)],
    maxUs: samples[samples.length - 1],
    result,
  };
}

const policy = (overrides) => ({ ...cases.PLAIN, id: 'p_case', ...overrides });

function outcome(result) {
  const failed = result.candidates.find((c) => c.id === 'p_case')?.failed;
  return failed
    ? `${result.decision} (${failed.condition}: ${failed.admin.replace(/^expression .* (failed|is)/, '$1')})`
    : result.decision;
}

/** Runs every case; the figures, the baseline they are compared with, and /healthz meanwhile. */
async function runWorstCaseBench() {
  const baselineSet = policySet(cases.PLAIN);
  const rows = [];
  const add = (group, name, set, request) => {
    const t = time(set, request);
    rows.push({
      group,
      name,
      minUs: t.minUs,
      medianUs: t.medianUs,
      maxUs: t.maxUs,
      outcome: outcome(t.result),
    });
  };
  const baseline = time(baselineSet, cases.SMALL_REQUEST);
  for (const [name, [pattern, id]] of Object.entries(cases.GLOBS)) {
    add('glob', name, policySet(policy({ resources: [pattern] })), {
      ...cases.SMALL_REQUEST,
      resource: { id },
    });
  }
  for (const [name, expression] of Object.entries(cases.EXPRESSIONS)) {
    const set = policySet(policy({ resources: ['docs.*'], conditions: { expression } }));
    add('expression', name, set, cases.LARGEST_REQUEST);
  }
  add('request', 'largest request, plain policy', baselineSet, cases.LARGEST_REQUEST);
  add('request', 'deepest request, plain policy', baselineSet, cases.DEEPEST_REQUEST);
  add(
    'request',
    'deepest request, expression reading its leaf',
    policySet(policy({ conditions: { expression: 'size(context.d1.d2.d3.d4.d5.d6.leaf) > 0' } })),
    cases.DEEPEST_REQUEST,
  );
  // The 1-minute load average now: on a shared machine, what the figures were measured under.
  const load = os.loadavg()[0];
  const costliest = rows
    .filter((r) => r.group === 'expression')
    .reduce((a, b) => (b.medianUs > a.medianUs ? b : a));
  return {
    load,
    healthz: process.env.BENCH_WORST_HEALTHZ === '0' ? undefined : await runHealthzBench(costliest.name),
    runs: RUNS,
    targetUs: TARGET_US,
    baseline: { minUs: baseline.minUs, medianUs: baseline.medianUs, maxUs: baseline.maxUs },
    rows,
  };
}

const fmt = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

/** Markdown for docs/benchmarks.md. */
function worstCaseReport({ runs, targetUs, baseline, rows, load, healthz }, meta) {
  const lines = [
    `Worst-case run: ${meta.date}, ${meta.cpus} × ${meta.cpuModel}, Node ${meta.node}, load average ${load.toFixed(1)}; ${runs} decisions per case (request checks and evaluation): fastest (the work itself), median, slowest (with whatever else the machine was doing); baseline: one plain allow policy, a small request: ${fmt(baseline.minUs)} / ${fmt(baseline.medianUs)} / ${fmt(baseline.maxUs)} µs.`,
    '',
    '| case | fastest µs | median µs | slowest µs | median ÷ baseline median | median under 10 ms | outcome |',
    '| --- | ---: | ---: | ---: | ---: | --- | --- |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.group}: ${r.name} | ${fmt(r.minUs)} | ${fmt(r.medianUs)} | ${fmt(r.maxUs)} | ${fmt(r.medianUs / baseline.medianUs)}× | ${r.medianUs < targetUs ? 'yes' : '**no**'} | ${r.outcome} |`,
    );
  }
  const worst = rows.reduce((a, b) => (b.medianUs > a.medianUs ? b : a));
  lines.push(
    '',
    `Costliest decision a caller can cause: ${worst.group}: ${worst.name}, ${fmt(worst.medianUs)} µs median (${fmt(worst.minUs)} µs fastest), ${fmt(worst.medianUs / baseline.medianUs)}× the baseline.`,
  );
  if (healthz) lines.push('', healthzReport(healthz));
  return lines.join('\n');
}

module.exports = { runWorstCaseBench, worstCaseReport };

if (require.main === module) {
  const meta = {
    date: new Date().toISOString().slice(0, 10),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown CPU',
    node: process.version,
  };
  runWorstCaseBench().then(
    (results) => process.stdout.write(`${worstCaseReport(results, meta)}\n`),
    (error) => {
      process.stderr.write(`${error.stack}\n`);
      process.exit(1);
    },
  );
}
