import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { KafkaBus } from '@zt/messaging';
import { Client } from 'pg';
import { call, eventually } from './http';

const ROOT = join(__dirname, '..', '..');

/** Infrastructure of the machine that the integration tests require (never skipped). */
export const INFRA = {
  postgresAdminUrl: process.env.IT_POSTGRES_URL ?? 'postgres://postgres:postgres@127.0.0.1:5432/postgres',
  kafkaBrokers: process.env.IT_KAFKA_BROKERS ?? '127.0.0.1:9092',
  redisUrl: process.env.IT_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

/**
 * The environment of services under one test: the test's database, the machine's Kafka and Redis
 * under a topic and key prefix of this run only (so runs never see each other's events), tokens
 * from the test's issuer; `extra` adds or overrides.
 */
export function serviceEnv(
  database: { url: string },
  issuer: { jwksUrl: string; issuer: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: database.url,
    KAFKA_BROKERS: INFRA.kafkaBrokers,
    REDIS_URL: INFRA.redisUrl,
    TOPIC_PREFIX: `it-${randomBytes(4).toString('hex')}.`,
    REDIS_KEY_PREFIX: `it-${randomBytes(4).toString('hex')}:`,
    JWKS_URL: issuer.jwksUrl,
    JWT_ISSUER: issuer.issuer,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/**
 * A Kafka bus on the test broker, its topics under a prefix of the test's own (three partitions,
 * one replica: the broker is a single node). Not connected yet.
 */
export function testKafkaBus(clientId: string, topicPrefix: string): KafkaBus {
  return new KafkaBus({
    brokers: INFRA.kafkaBrokers.split(','),
    clientId,
    topicPrefix,
    partitions: 3,
    replicationFactor: 1,
  });
}

/** A free loopback port (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A database of the test's own, dropped afterwards, so tests never share state. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `zt_it_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: INFRA.postgresAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(INFRA.postgresAdminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: INFRA.postgresAdminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** One service started as its own process from the build output, as in production. */
export interface ServiceProcess {
  name: string;
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Spawns `node dist/apps/<name>/src/main.js` and waits until its /readyz says ready. */
export async function startServiceProcess(
  name: string,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'apps', name, 'src', 'main.js')], {
    cwd: ROOT,
    env: {
      ...process.env,
      GRPC_PORT: '0',
      INSTANCE_ID: `${name}-it`,
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  const service: ServiceProcess = {
    name,
    url,
    child,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(killer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`${name} exited (${child.exitCode ?? child.signalCode})`);
        const r = await call(url, 'GET', '/readyz');
        return r.status === 200 ? true : undefined;
      },
      90_000,
      `${name} to be ready`,
    );
  } catch (error) {
    await service.stop();
    throw new Error(`${String(error)}\n--- ${name} output ---\n${output}`);
  }
  return service;
}
