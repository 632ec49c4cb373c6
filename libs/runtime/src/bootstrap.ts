import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DevIssuer } from '@zt/auth';
import { AppConfig, loadConfig, RuntimeMode } from '@zt/config';
import {
  acceptOnlyJsonBodies,
  AdmissionControl,
  clientErrorProblem,
  EventLoopDelaySampler,
  frameworkProblem,
  installAdmission,
  installCorrelationId,
  installInputRule,
  ProblemFilter,
} from '@zt/http';
import { createLogger, PinoNestLogger } from '@zt/observability';
import { Registry } from 'prom-client';
import { observeAdmission } from './admission-observers';
import { registerDirectRoutes } from './direct-routes';
import { rootModule } from './root-module';
import { ServiceDefinition } from './service-definition';

/** A started process: its Nest application and the base URL it listens on. */
export interface RunningProcess {
  app: NestFastifyApplication;
  url: string;
  config: AppConfig;
  close(): Promise<void>;
}

/** Longest path parameter, percent-encoded, that the router passes on (414 beyond). */
export const MAX_PATH_PARAMETER_LENGTH = 256 * 4 * 3;

async function start(
  mode: RuntimeMode,
  processName: string,
  services: ServiceDefinition[],
  config: AppConfig,
): Promise<RunningProcess> {
  const logger = createLogger(config.LOG_LEVEL, processName);
  // Standalone brings its own token issuer unless the user points at a real one; a distributed
  // trial (docker-compose) may run it in one process with DEV_ISSUER.
  const devIssuer =
    (mode === 'standalone' && config.JWKS_URL === undefined) || config.DEV_ISSUER
      ? await DevIssuer.loadOrCreate(config.DATA_DIR, config.JWT_ISSUER)
      : undefined;
  const adapter = new FastifyAdapter({
    bodyLimit: config.MAX_BODY_BYTES,
    trustProxy: false,
    // Path ids may be 256 characters (principals, devices), each up to 4 UTF-8 bytes written as
    // %XX; Fastify's default of 100 refused valid ids with 414.
    maxParamLength: MAX_PATH_PARAMETER_LENGTH,
    // What Node's parser and Fastify's router refuse before any hook runs, as problem+json too.
    clientErrorHandler: clientErrorProblem,
    frameworkErrors: frameworkProblem,
  });
  // Hooks on the root instance, added before Nest registers its routes and before the direct
  // routes: they apply to every route of the process, and their errors reach each route's error
  // handler (Nest's exception filter or the direct route's), both of which render problem+json.
  const fastify = adapter.getInstance();
  installCorrelationId(fastify);
  // A process serving decisions refuses work past its capacity (other processes get admin and
  // audit calls at a human pace); the refusal carries the correlation id set just before.
  const admission = new AdmissionControl(
    services.some((s) => s.name === 'decision')
      ? {
          maxEventLoopDelayMs: config.ADMISSION_EVENT_LOOP_DELAY_MS,
          maxInFlight: config.ADMISSION_MAX_IN_FLIGHT,
        }
      : { maxEventLoopDelayMs: 0, maxInFlight: 0 },
  );
  installAdmission(fastify, admission);
  acceptOnlyJsonBodies(fastify);
  installInputRule(fastify);
  const app = await NestFactory.create<NestFastifyApplication>(
    rootModule({ mode, processName, config, services, devIssuer, admission }),
    adapter,
    // bodyParser: false, or Nest's adapter adds its own JSON and form-urlencoded parsers.
    { logger: new PinoNestLogger(logger), abortOnError: false, bodyParser: false },
  );
  app.useGlobalFilters(new ProblemFilter());
  registerDirectRoutes(app);
  app.enableShutdownHooks();
  const sampler = new EventLoopDelaySampler((ms) => admission.recordEventLoopDelay(ms));
  if (admission.enabled) {
    observeAdmission(admission, app.get(Registry), logger);
    sampler.start();
  }
  await app.listen(config.PORT, config.HOST);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`;
  logger.info({ mode, url, services: services.map((s) => s.name) }, 'listening');
  return {
    app,
    url,
    config,
    close: async () => {
      sampler.stop();
      await app.close();
    },
  };
}

/** Starts all services in one process: embedded PostgreSQL, in-process bus, memory cache. */
export function startStandalone(
  services: ServiceDefinition[],
  config: AppConfig = loadConfig(),
): Promise<RunningProcess> {
  return start('standalone', 'standalone', services, config);
}

/** Starts one service on its own, against PostgreSQL, Kafka and Redis from the environment. */
export function startDistributed(
  service: ServiceDefinition,
  config: AppConfig = loadConfig(),
): Promise<RunningProcess> {
  return start('distributed', service.name, [service], config);
}

/** Runs a process entry point: a failed start (bad configuration included) exits non-zero. */
export function runMain(starter: () => Promise<RunningProcess>): void {
  starter().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
