import { createServer, IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, ServiceProcess, startServiceProcess } from '../../support/distributed';
import { startTestIssuer, TestIssuer } from '../../support/test-issuer';
import { RiskModel } from '../../../examples/risk-model/src/risk-model';
import { createRiskModelServer } from '../../../examples/risk-model/src/server';
import { FaultInfra } from './fault-infra';

/** The tokens the load and the checks use; re-minted before they expire (the issuer's last 10 min). */
export interface Tokens {
  admin: string;
  pep: string;
  agent: string;
  auditor: string;
}

/** The reference risk model, slowed down so that a scoring is in flight when its caller dies. */
export interface SlowRiskModel {
  url: string;
  /** Scorings started and not yet answered. */
  inFlight(): number;
  close(): Promise<void>;
}

const MODEL_DELAY_MS = 300;

async function startSlowRiskModel(): Promise<SlowRiskModel> {
  const score = createRiskModelServer(new RiskModel()).listeners('request')[0] as RequestListener;
  let inFlight = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    inFlight += 1;
    res.once('close', () => (inFlight -= 1));
    setTimeout(() => score(req, res), MODEL_DELAY_MS);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/score`,
    inFlight: () => inFlight,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** Which service processes run; decision replicas by index (0: decision-a, 1: decision-b). */
export type ServiceName = 'policy-admin' | 'decision-a' | 'decision-b' | 'device-intelligence' | 'audit';

export const SERVICE_NAMES: ServiceName[] = [
  'policy-admin',
  'decision-a',
  'decision-b',
  'device-intelligence',
  'audit',
];

/**
 * Every service as its own process on the fault suite's own infrastructure: policy-admin, two
 * decision replicas (one starting from the policy topic, one from the admin's snapshot), device
 * intelligence with the reference risk model, and audit.
 */
export interface Deployment {
  infra: FaultInfra;
  issuer: TestIssuer;
  model: SlowRiskModel;
  databaseUrl: string;
  services: Record<ServiceName, ServiceProcess>;
  /** gRPC address of each decision replica (kept across restarts). */
  grpc: Record<'decision-a' | 'decision-b', string>;
  tokens(): Tokens;
  /** SIGKILL of one service; resolves once the process is gone. */
  kill(name: ServiceName): Promise<void>;
  /** Starts a killed service again and resolves once its /readyz answers 200. */
  restart(name: ServiceName): Promise<void>;
  stop(): Promise<void>;
}

const TOKEN_REFRESH_MS = 4 * 60_000;

async function mintTokens(issuer: TestIssuer): Promise<Tokens> {
  return {
    admin: await issuer.mint({ sub: 'fay@company.com', roles: ['policy_admin', 'infra_admin'] }),
    pep: await issuer.mint({ sub: 'gateway', roles: ['pep'] }),
    agent: await issuer.mint({ sub: 'agent-fleet', roles: ['device_agent'] }),
    auditor: await issuer.mint({ sub: 'audra@company.com', roles: ['auditor'] }),
  };
}

/** Starts the issuer, the model and the five service processes. */
export async function startDeployment(infra: FaultInfra): Promise<Deployment> {
  const dir = mkdtempSync(join(tmpdir(), 'zt-fault-deploy-'));
  const issuer = await startTestIssuer();
  const model = await startSlowRiskModel();
  const admin = new Client({ connectionString: infra.postgres.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE zt_fault');
  await admin.end();
  const databaseUrl = infra.postgres.urlOf('zt_fault');
  let tokens = await mintTokens(issuer);
  const pdpTokenFile = join(dir, 'pdp.token');
  const writePdpToken = async () =>
    writeFileSync(pdpTokenFile, await issuer.mint({ sub: 'decision-pdp', roles: ['pdp'] }));
  await writePdpToken();
  const refresh = setInterval(() => {
    void (async () => {
      tokens = await mintTokens(issuer);
      await writePdpToken();
    })();
  }, TOKEN_REFRESH_MS);

  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: infra.kafka.brokers,
    REDIS_URL: infra.redis.url,
    TOPIC_PREFIX: 'fault.',
    REDIS_KEY_PREFIX: 'fault:',
    JWKS_URL: issuer.jwksUrl,
    JWT_ISSUER: issuer.issuer,
    LOG_LEVEL: 'warn',
    DATA_DIR: dir,
    MODEL_ALLOWED_HOSTS: '127.0.0.1',
    DECISION_HEARTBEAT_SECONDS: '1',
    // On, so that the limiter's Redis is in play and its fail-open shows in the metrics.
    RATE_LIMIT_PER_SECOND: '100000',
    AUDIT_CHECKPOINT_SECONDS: '10',
    // Every posture report calls the model, so that a scoring is in flight when the case needs one.
    MODEL_SCORE_CACHE_SECONDS: '0',
  };
  const grpc = {
    'decision-a': `127.0.0.1:${await freePort()}`,
    'decision-b': `127.0.0.1:${await freePort()}`,
  };
  const services = {} as Record<ServiceName, ServiceProcess>;
  const envOf = (name: ServiceName): [string, Record<string, string>] => {
    switch (name) {
      case 'policy-admin':
      case 'device-intelligence':
      case 'audit':
        return [name, { ...env, INSTANCE_ID: name }];
      case 'decision-a':
        return ['decision', { ...env, INSTANCE_ID: name, GRPC_PORT: grpc[name].split(':')[1] }];
      case 'decision-b':
        // This replica starts from policy-admin's snapshot, the other from the policy topic.
        return [
          'decision',
          {
            ...env,
            INSTANCE_ID: name,
            GRPC_PORT: grpc[name].split(':')[1],
            POLICY_ADMIN_URL: services['policy-admin'].url,
            POLICY_ADMIN_TOKEN_FILE: pdpTokenFile,
          },
        ];
    }
  };
  const start = (name: ServiceName) => startServiceProcess(...envOf(name));
  const stopAll = async () => {
    clearInterval(refresh);
    await Promise.all(Object.values(services).map((s) => s.stop()));
    await model.close();
    await issuer.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // In order: policy-admin first, as decision-b starts from its snapshot.
    for (const name of SERVICE_NAMES) services[name] = await start(name);
  } catch (error) {
    // Nothing of a half-started deployment may keep running (or keep jest alive).
    await stopAll();
    throw error;
  }

  return {
    infra,
    issuer,
    model,
    databaseUrl,
    services,
    grpc,
    tokens: () => tokens,
    kill: async (name) => {
      services[name].child.kill('SIGKILL');
      await services[name].stop(); // only waits for the exit
    },
    restart: async (name) => {
      services[name] = await start(name);
    },
    stop: stopAll,
  };
}
