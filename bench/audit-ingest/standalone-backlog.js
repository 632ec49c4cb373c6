// Standalone audit ingest capacity: the whole product in this process (embedded PGlite database,
// in-process bus), a backlog of decision log messages published on the bus at once, and the
// time until the last of them is in the audit store. `GET /audit/verify` is asked over HTTP while
// the backlog drains. Prints one JSON line; run as a child of bench/audit-ingest/run.js.
require('reflect-metadata');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { decisionBatches } = require('./decision-batches');

const DIST = process.env.BENCH_DIST ?? path.join(__dirname, '..', '..', 'dist');
const { startStandalone } = require(path.join(DIST, 'libs/runtime/src'));
const { loadConfig } = require(path.join(DIST, 'libs/config/src'));
const { MessageBus } = require(path.join(DIST, 'libs/messaging/src'));
const { DevIssuer } = require(path.join(DIST, 'libs/auth/src'));
const { ALL_SERVICES } = require(path.join(DIST, 'apps/standalone/src/services'));
const { DataSource } = require('typeorm');

const DECISIONS = Number(process.argv[2] ?? 100_000);
const POLL_MS = 50;
// An auditor's pace (see run.js).
const VERIFY_PAUSE_MS = 1000;

async function headSeq(dataSource) {
  const rows = await dataSource.query('SELECT max(seq) AS seq FROM audit.records');
  return Number(rows[0].seq ?? 0);
}

/**
 * Asks verify one after another until `done()`; each answer's time in ms, and how many were
 * refused by admission control (the process also serves decisions: 503 while its loop is late).
 */
async function verifyWhile(url, token, done) {
  const times = [];
  let refused = 0;
  while (!done()) {
    const started = performance.now();
    const response = await fetch(`${url}/v1/zt-policy/audit/verify`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const verdict = await response.json();
    if (response.status === 503) {
      refused += 1;
      await new Promise((resolve) => setTimeout(resolve, 100));
      continue;
    }
    if (response.status !== 200 || verdict.valid !== true) {
      throw new Error(`verify: HTTP ${response.status} ${JSON.stringify(verdict)}`);
    }
    times.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, VERIFY_PAUSE_MS));
  }
  return { times, refused };
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-bench-audit-sa-'));
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
    const bus = running.app.get(MessageBus);
    const dataSource = running.app.get(DataSource, { strict: false });
    const issuer = await DevIssuer.loadOrCreate(dataDir);
    const auditor = await issuer.mint({ sub: 'bench-auditor', roles: ['auditor'] });
    const before = await headSeq(dataSource);
    const { events } = decisionBatches(DECISIONS);
    // All at once: the consumer starts on the next turn of the event loop, with the whole backlog.
    await bus.publish(
      'zt.decision.log',
      events.map((event) => ({ key: event.id, event })),
    );
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    let stored = 0;
    let finished = false;
    const verifying = verifyWhile(running.url, auditor, () => finished);
    for (;;) {
      stored = (await headSeq(dataSource)) - before;
      if (stored >= DECISIONS) break;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    finished = true;
    const verified = await verifying;
    const exitStarted = performance.now();
    await running.close();
    process.stdout.write(
      `${JSON.stringify({
        decisions: DECISIONS,
        stored,
        seconds,
        recordsPerSecond: DECISIONS / seconds,
        // The whole process (embedded database included) per record, verify's share too.
        cpuUsPerRecord: (cpu.user + cpu.system) / DECISIONS,
        verifyMs: verified.times,
        verifyRefused: verified.refused,
        closeMs: performance.now() - exitStarted,
      })}\n`,
    );
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  },
);
