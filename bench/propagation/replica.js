// Starts a distributed decision replica and times its way to readiness: from process start, and
// from the moment it starts fetching policy-admin's snapshot (its own log line), to the first
// `/readyz` 200; then until it has also replayed the compacted policy topic (`caughtUp`).
const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');
const { ROOT, freePort } = require('../support');

const POLL_MS = 50;
const DEADLINE_MS = 180_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The `policy-state` check of a /readyz answer, or undefined. */
async function readiness(url) {
  try {
    const response = await fetch(`${url}/readyz`);
    const body = await response.json();
    return { ok: response.status === 200, policyState: body?.checks?.['policy-state']?.detail };
  } catch {
    return undefined;
  }
}

/**
 * Starts `dist/apps/decision/src/main.js` with `env` and resolves once it is ready, with its
 * timings in ms: `readyMs` (process start to /readyz 200), `fetchToReadyMs` (snapshot fetch start
 * to /readyz 200, from the replica's log), `caughtUpMs` (process start to the topic replayed), and
 * the replica's own log lines about the snapshot (fetch and load times). `nodeArgs` go to node
 * (a profiler's flags, say).
 */
async function startReplica(env, nodeArgs = []) {
  const port = await freePort();
  const startedAt = Date.now();
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'dist/apps/decision/src/main.js')], {
    cwd: ROOT,
    env: { ...process.env, GRPC_PORT: '0', ...env, LOG_LEVEL: 'info', PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr.on('data', (d) => (errors = (errors + d.toString()).slice(-5000)));
  const log = { fetchStartedAt: undefined, lines: [] };
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      return;
    }
    if (entry.level >= 40) errors = `${errors}\n${line}`.slice(-5000);
    if (entry.context === 'PolicySnapshotClient' || entry.context === 'PolicyState') {
      log.lines.push(entry.msg);
      if (entry.msg.startsWith('fetching the snapshot') && log.fetchStartedAt === undefined) {
        log.fetchStartedAt = Date.parse(entry.time);
      }
    }
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  try {
    let readyAt;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`decision exited: ${errors}`);
      if (Date.now() - startedAt > DEADLINE_MS) throw new Error(`decision not caught up: ${errors}`);
      const state = await readiness(url);
      if (state?.ok && readyAt === undefined) readyAt = Date.now();
      if (state?.ok && state.policyState?.caughtUp) {
        const caughtUpAt = Date.now();
        return {
          url,
          pid: child.pid,
          stop,
          timings: {
            readyMs: readyAt - startedAt,
            fetchToReadyMs: log.fetchStartedAt === undefined ? null : readyAt - log.fetchStartedAt,
            processToFetchMs: log.fetchStartedAt === undefined ? null : log.fetchStartedAt - startedAt,
            caughtUpMs: caughtUpAt - startedAt,
            policies: state.policyState.policies,
            revision: state.policyState.revision,
            log: log.lines,
          },
        };
      }
      await sleep(POLL_MS);
    }
  } catch (error) {
    await stop();
    throw error;
  }
}

module.exports = { startReplica };
