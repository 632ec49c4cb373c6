import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { freePort } from '../../support/distributed';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..', '..');
const KAFKA_SCRIPT = join(ROOT, 'scripts', 'kafka-local.sh');

/** A dependency the suite owns and can take away: started, killed (or stopped), started again. */
export interface FaultableKafka {
  brokers: string;
  /** SIGKILL of the broker: a dead broker, connections reset. */
  kill(): void;
  /** SIGSTOP: a hung broker; connections stay open and nothing answers. */
  freeze(): void;
  /** SIGCONT after freeze(). */
  thaw(): void;
  /** Starts it again (after kill) and resolves once a client gets metadata. */
  start(): Promise<void>;
}

export interface FaultableRedis {
  url: string;
  /** SIGKILL: everything in memory is gone. */
  kill(): void;
  /** A fresh, empty server on the same port. */
  start(): Promise<void>;
}

export interface FaultablePostgres {
  /** Superuser URL of the cluster's `postgres` database. */
  adminUrl: string;
  /** A URL of a database on this cluster. */
  urlOf(database: string): string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** Kafka, Redis and PostgreSQL of the fault suite's own, on ports nobody else uses. */
export interface FaultInfra {
  kafka: FaultableKafka;
  redis: FaultableRedis;
  postgres: FaultablePostgres;
  /** Stops and removes all three (data included). */
  destroy(): Promise<void>;
}

function signal(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) throw new Error(`no pid to send ${sig} to`);
  process.kill(pid, sig);
}

function pidIn(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(what: string, probe: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A broker of the suite's own through scripts/kafka-local.sh: its own home dir (config, data, pid,
 * logs) and ports, the jars shared with the project's broker.
 */
async function startKafka(dir: string): Promise<FaultableKafka & { destroy(): Promise<void> }> {
  const port = await freePort();
  const controllerPort = await freePort();
  const home = join(dir, 'kafka');
  const env = {
    ...process.env,
    KAFKA_HOME_DIR: home,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
  };
  const script = (command: string) => run('bash', [KAFKA_SCRIPT, command], { env, timeout: 180_000 });
  const pid = () => pidIn(join(home, 'kafka.pid'));
  await script('start');
  return {
    brokers: `127.0.0.1:${port}`,
    kill: () => {
      const p = pid();
      signal(p, 'SIGKILL');
    },
    freeze: () => signal(pid(), 'SIGSTOP'),
    thaw: () => signal(pid(), 'SIGCONT'),
    start: async () => {
      // A killed broker may take a moment to be reaped; the script refuses a port still taken.
      const old = pid();
      if (old !== undefined) await waitUntil('the killed broker to exit', () => !alive(old));
      await script('start');
    },
    destroy: async () => {
      const p = pid();
      if (p !== undefined && alive(p)) process.kill(p, 'SIGCONT');
      await script('stop').catch(() => undefined);
    },
  };
}

/** redis-server on a port of its own, without persistence: a restart is an empty cache. */
async function startRedis(dir: string): Promise<FaultableRedis & { destroy(): Promise<void> }> {
  const port = await freePort();
  const home = join(dir, 'redis');
  const pidFile = join(home, 'redis.pid');
  rmSync(home, { recursive: true, force: true });
  const start = async () => {
    rmSync(pidFile, { force: true });
    await run('mkdir', ['-p', home]);
    await run('redis-server', [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'yes',
      '--pidfile',
      pidFile,
      '--dir',
      home,
      '--logfile',
      join(home, 'redis.log'),
    ]);
    await waitUntil('redis to answer', async () => {
      try {
        const { stdout } = await run('redis-cli', ['-p', String(port), 'ping'], { timeout: 2_000 });
        return stdout.trim() === 'PONG';
      } catch {
        return false;
      }
    });
  };
  await start();
  const kill = () => {
    const pid = pidIn(pidFile);
    signal(pid, 'SIGKILL');
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    kill,
    start: async () => {
      const old = pidIn(pidFile);
      if (old !== undefined) await waitUntil('the killed redis to exit', () => !alive(old));
      await start();
    },
    destroy: async () => {
      const pid = pidIn(pidFile);
      if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
      await Promise.resolve();
    },
  };
}

/** The newest PostgreSQL major version installed from Debian's packages. */
function postgresVersion(): string {
  const versions = readdirSync('/usr/lib/postgresql')
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0)
    throw new Error('no PostgreSQL under /usr/lib/postgresql (run npm run infra:up)');
  return versions[0];
}

// Clusters are named after the suite's pid, so a cluster that a crashed run left behind can be told
// apart from one that a concurrent run is using.
const CLUSTER_PREFIX = 'ztfault_';

async function dropAbandonedClusters(version: string): Promise<void> {
  const { stdout } = await run('pg_lsclusters', ['-h']);
  for (const line of stdout.split('\n')) {
    const [v, name] = line.trim().split(/\s+/);
    if (v !== version || !name?.startsWith(CLUSTER_PREFIX)) continue;
    const owner = Number(name.slice(CLUSTER_PREFIX.length));
    if (Number.isSafeInteger(owner) && !alive(owner)) {
      await run('pg_dropcluster', ['--stop', version, name]).catch(() => undefined);
    }
  }
}

/**
 * A PostgreSQL cluster of the suite's own (Debian's pg_createcluster, run as root), password
 * `postgres` for the superuser over loopback; dropped by destroy().
 */
async function startPostgres(): Promise<FaultablePostgres & { destroy(): Promise<void> }> {
  const version = postgresVersion();
  await dropAbandonedClusters(version);
  const port = await freePort();
  const name = `${CLUSTER_PREFIX}${process.pid}`;
  await run('pg_createcluster', [version, name, '-p', String(port)]);
  const ctl = (action: string) => run('pg_ctlcluster', [version, name, action], { timeout: 120_000 });
  await ctl('start');
  await run('runuser', [
    '-u',
    'postgres',
    '--',
    'psql',
    '-p',
    String(port),
    '-qc',
    "ALTER USER postgres PASSWORD 'postgres'",
  ]);
  const urlOf = (database: string) => `postgres://postgres:postgres@127.0.0.1:${port}/${database}`;
  const answers = async () => {
    const client = new Client({ connectionString: urlOf('postgres'), connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  await waitUntil('postgres to answer', answers);
  return {
    adminUrl: urlOf('postgres'),
    urlOf,
    // Fast shutdown: connections are cut, as when the database host goes away.
    stop: async () => {
      await ctl('stop');
    },
    start: async () => {
      await ctl('start');
      await waitUntil('postgres to answer', answers);
    },
    destroy: async () => {
      await run('pg_dropcluster', ['--stop', version, name]).catch(() => undefined);
    },
  };
}

/** Starts the suite's own Kafka, Redis and PostgreSQL on free ports. */
export async function startFaultInfra(): Promise<FaultInfra> {
  const dir = mkdtempSync(join(tmpdir(), 'zt-fault-'));
  const started: { destroy(): Promise<void> }[] = [];
  const track = <T extends { destroy(): Promise<void> }>(part: T): T => {
    started.push(part);
    return part;
  };
  let postgres, redis, kafka;
  try {
    postgres = track(await startPostgres());
    redis = track(await startRedis(dir));
    kafka = track(await startKafka(dir));
  } catch (error) {
    // Nothing of a half-started environment stays behind.
    await Promise.all(started.map((part) => part.destroy()));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    kafka,
    redis,
    postgres,
    destroy: async () => {
      await Promise.all([kafka.destroy(), redis.destroy(), postgres.destroy()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
