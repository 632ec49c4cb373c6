// SDK guard benchmark (`npm run bench -- sdk-guard`): what the SDK's enforcement point costs an
// application. The standalone product runs as one process, a Fastify application (app.js) as
// another with the same route bare and behind the SDK's Fastify hook: with its local decision
// cache, and uncached over HTTP and over gRPC. autocannon drives each route in interleaved
// rounds (a shared VM drifts) and the medians are compared with the bare route's.
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const { ROOT, freePort, startProcess, devToken, cpuMs } = require('../support');

const SECONDS = Number(process.env.BENCH_GUARD_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_GUARD_ROUNDS ?? 3);
const CONNECTIONS = 32;
const ROUTES = ['bare', 'cached', 'http', 'grpc'];
// Ten todos: the cached route answers from its cache after the first request of each.
const TODOS = 10;

async function startApp(env) {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(__dirname, 'app.js')], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the guarded app exited (${code})`)));
    child.stdout.on('data', (d) => d.toString().includes('ready') && resolve());
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function load(url, token) {
  return new Promise((resolve, reject) => {
    let n = 0;
    autocannon(
      {
        url,
        duration: SECONDS,
        connections: CONNECTIONS,
        headers: { authorization: `Bearer ${token}` },
        requests: [
          { setupRequest: (request) => ({ ...request, path: `${request.path}/${(n++ % TODOS) + 1}` }) },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function runSdkGuardBench() {
  // The SDK as a service installs it: its CommonJS build.
  execFileSync(process.execPath, [path.join(ROOT, 'packages', 'sdk', 'scripts', 'build.mjs')], {
    stdio: 'ignore',
  });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-bench-guard-'));
  const grpcPort = await freePort();
  const product = await startProcess('dist/apps/standalone/src/main.js', {
    DATA_DIR: dataDir,
    GRPC_PORT: String(grpcPort),
    DECISION_CACHE_TTL_SECONDS: '0',
  });
  let app;
  try {
    const admin = devToken(dataDir, 'bench-admin', ['policy_admin']);
    const user = devToken(dataDir, 'alice@company.com', ['engineer']);
    const created = await fetch(`${product.url}/v1/zt-policy/policies`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'engineers read todos',
        subjects: ['role:engineer'],
        resources: ['todo-*'],
        actions: ['read'],
        effect: 'allow',
      }),
    });
    if (created.status !== 201) throw new Error(`policy: ${created.status} ${await created.text()}`);
    app = await startApp({ PDP_URL: product.url, PDP_GRPC: `127.0.0.1:${grpcPort}` });
    // Every route must allow before it is measured: a refusal is cheaper than an answer.
    for (const route of ROUTES) {
      const r = await fetch(`${app.url}/${route}/todos/1`, { headers: { authorization: `Bearer ${user}` } });
      if (r.status !== 200) throw new Error(`${route}: ${r.status} ${await r.text()}`);
    }
    const rounds = Object.fromEntries(ROUTES.map((route) => [route, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const route of ROUTES) {
        const cpuBefore = cpuMs(app.pid);
        const result = await load(`${app.url}/${route}/todos`, user);
        const appCpuMs = cpuMs(app.pid) - cpuBefore;
        if (result.non2xx > 0 || result.errors > 0)
          throw new Error(`${route}: ${result.non2xx} non-2xx, ${result.errors} errors`);
        rounds[route].push({
          rps: result.requests.average,
          p50: result.latency.p50,
          p99: result.latency.p99,
          // The application's CPU per request: what the guard costs it, whoever bounds the rate.
          appUs: (appCpuMs * 1000) / Math.max(1, result.requests.total),
        });
      }
    }
    const summary = Object.fromEntries(
      ROUTES.map((route) => [
        route,
        {
          rps: Math.round(median(rounds[route].map((r) => r.rps))),
          p50: median(rounds[route].map((r) => r.p50)),
          p99: median(rounds[route].map((r) => r.p99)),
          appUs: median(rounds[route].map((r) => r.appUs)),
        },
      ]),
    );
    return { seconds: SECONDS, rounds: ROUNDS, connections: CONNECTIONS, summary, raw: rounds };
  } finally {
    await app?.stop();
    await product.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function sdkGuardReport(r, meta) {
  const bare = r.summary.bare;
  const row = (name, key) => {
    const s = r.summary[key];
    return `| ${name} | ${s.rps.toLocaleString('en')} | ${(s.rps / bare.rps).toFixed(2)} | ${s.appUs.toFixed(1)} | ${(s.appUs / bare.appUs).toFixed(2)} | ${s.p50} | ${s.p99} |`;
  };
  return [
    `### SDK guard (${meta.date}, ${meta.cpus} × ${meta.cpuModel}, Node ${meta.node})`,
    '',
    `One Fastify application, the same route bare and behind the SDK's Fastify hook; the standalone product in another process; autocannon, ${r.connections} connections, ${r.seconds} s a round, medians of ${r.rounds} interleaved rounds.`,
    '',
    '| route | requests/s | ÷ bare | app CPU µs/request | ÷ bare | p50 ms | p99 ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('bare (baseline)', 'bare'),
    row('guard, cached decision (target: ≤ 10% of the bare route)', 'cached'),
    row('guard, uncached decision over HTTP', 'http'),
    row('guard, uncached decision over gRPC', 'grpc'),
  ].join('\n');
}

module.exports = { runSdkGuardBench, sdkGuardReport };
