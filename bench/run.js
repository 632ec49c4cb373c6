// The benchmark command (`npm run bench`): runs every benchmark, prints markdown for
// docs/benchmarks.md and keeps the raw figures in bench/results/.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { runEngineBench } = require('./engine/run');
const { engineReport } = require('./report');

async function main() {
  const meta = {
    date: new Date().toISOString().slice(0, 10),
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown CPU',
    node: process.version,
  };
  const engine = await runEngineBench();
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'engine.json'), JSON.stringify({ meta, engine }, null, 2));
  process.stdout.write(`${engineReport(engine, meta)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
