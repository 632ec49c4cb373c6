// Processes and tokens the HTTP and propagation benchmarks share.
const { spawn, execFileSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const fs = require('node:fs');
const { Client } = require('pg');
const net = require('node:net');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
// USER_HZ of /proc/<pid>/stat: 100 on every Linux build we run on.
const CLOCK_TICKS = 100;

/** A free loopback port. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts `node <script>` with env and waits for `readyPath` to answer 200. */
async function startProcess(script, env, readyPath = '/readyz', nodeArgs = []) {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', GRPC_PORT: '0', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr.on('data', (d) => (errors = (errors + d.toString()).slice(-5000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited: ${errors}`);
    try {
      if ((await fetch(`${url}${readyPath}`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${script} not ready: ${errors}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** A token from the dev issuer whose key lives in dataDir (what `ztctl token` does). */
function devToken(dataDir, sub, roles) {
  return execFileSync(
    process.execPath,
    [path.join(ROOT, 'bin/ztctl.js'), 'token', '--sub', sub, '--roles', roles.join(',')],
    {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir },
      encoding: 'utf8',
    },
  ).trim();
}

/**
 * CPU time (user + system) a process has used so far, in milliseconds, from /proc (Linux); with
 * `mainThreadOnly`, only its main thread's (whose thread id is the pid).
 */
function cpuMs(pid, mainThreadOnly = false) {
  const stat = mainThreadOnly ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`;
  const fields = fs.readFileSync(stat, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * (1000 / CLOCK_TICKS);
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const ADMIN_DB = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres';

/**
 * policy-admin as its own process on a fresh database and topic prefix of the real PostgreSQL,
 * Kafka and Redis (`npm run infra:up`), running the dev token issuer; `env` is what a decision
 * process of the same deployment needs.
 */
async function startDistributedAdmin(dataDir) {
  const name = `zt_bench_${randomBytes(4).toString('hex')}`;
  const query = async (sql) => {
    const client = new Client({ connectionString: ADMIN_DB });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_DB);
  url.pathname = `/${name}`;
  const env = {
    DATABASE_URL: url.toString(),
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    TOPIC_PREFIX: `bench-${randomBytes(4).toString('hex')}.`,
    REDIS_KEY_PREFIX: `bench-${randomBytes(4).toString('hex')}:`,
    DATA_DIR: dataDir,
  };
  const admin = await startProcess('dist/apps/policy-admin/src/main.js', { ...env, DEV_ISSUER: 'true' });
  return {
    admin,
    env,
    async stop() {
      await admin.stop();
      await query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

module.exports = { ROOT, freePort, startProcess, devToken, cpuMs, quantile, startDistributedAdmin };
