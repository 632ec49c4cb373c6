// The benchmark command (`npm run bench`): runs every benchmark, prints markdown for
// docs/benchmarks.md and keeps the raw figures in bench/results/.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runEngineBench } = require('./engine/run');
const { runHttpBench } = require('./http/run');
const { runOverloadBench } = require('./overload/run');
const { overloadReport } = require('./overload/report');
const { runPropagationBench } = require('./propagation/run');
const { runWorstCaseBench, worstCaseReport } = require('./worst-case/run');
const { runAuditIngestBench } = require('./audit-ingest/run');
const { runSearchBench, searchReport } = require('./search/run');
const { runReplayBench, replayReport } = require('./replay/run');
const { runSdkGuardBench, sdkGuardReport } = require('./sdk-guard/run');
const { engineReport, httpReport, propagationReport, auditIngestReport } = require('./report');

// `npm run bench` runs them all; `npm run bench -- http` (or engine, propagation, worst-case) runs some.
// `propagation` loads BENCH_PROPAGATION_POLICIES (100,000) policies beside a phase with a few.
// `overload` drives the decision API at 0.5×, 1×, 2× and 3× its maximum (bench/overload).
const ALL = [
  'engine',
  'http',
  'overload',
  'propagation',
  'worst-case',
  'audit-ingest',
  'search',
  'replay',
  'sdk-guard',
];

async function main() {
  const meta = {
    date: new Date().toISOString().slice(0, 10),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown CPU',
    node: process.version,
  };
  const chosen = process.argv.slice(2).filter((a) => ALL.includes(a));
  const run = chosen.length > 0 ? chosen : ALL;
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const save = (name, results) =>
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ meta, [name]: results }, null, 2));
  if (run.includes('engine')) {
    const engine = await runEngineBench();
    save('engine', engine);
    process.stdout.write(`${engineReport(engine, meta)}\n\n`);
  }
  if (run.includes('search')) {
    const search = await runSearchBench();
    save('search', search);
    process.stdout.write(`${searchReport(search, meta)}\n\n`);
  }
  if (run.includes('replay')) {
    const replay = await runReplayBench();
    save('replay', replay);
    process.stdout.write(`${replayReport(replay, meta)}\n\n`);
  }
  if (run.includes('sdk-guard')) {
    const guard = await runSdkGuardBench();
    save('sdk-guard', guard);
    process.stdout.write(`${sdkGuardReport(guard, meta)}\n\n`);
  }
  if (run.includes('worst-case')) {
    const worst = await runWorstCaseBench();
    save('worst-case', worst);
    process.stdout.write(`${worstCaseReport(worst, meta)}\n\n`);
  }
  if (['http', 'overload', 'propagation', 'audit-ingest'].some((name) => run.includes(name))) {
    // Both run on the real Kafka, PostgreSQL and Redis; infra-up is idempotent.
    execFileSync('bash', [path.join(__dirname, '..', 'scripts', 'infra-up.sh')], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  if (run.includes('http')) {
    const http = await runHttpBench();
    save('http', http);
    process.stdout.write(`${httpReport(http, meta)}\n\n`);
  }
  if (run.includes('overload')) {
    const overload = await runOverloadBench();
    save('overload', overload);
    process.stdout.write(`${overloadReport(overload, meta)}\n\n`);
  }
  if (run.includes('propagation')) {
    const propagation = await runPropagationBench();
    save('propagation', propagation);
    process.stdout.write(`${propagationReport(propagation, meta)}\n`);
  }
  if (run.includes('audit-ingest')) {
    const audit = await runAuditIngestBench();
    save('audit-ingest', audit);
    process.stdout.write(`${auditIngestReport(audit, meta)}\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
