import { DynamicModule, Global, Inject, Injectable, Module, OnModuleInit, Provider } from '@nestjs/common';
import { AuthModule, DevIssuer } from '@zt/auth';
import { AdmissionControl } from '@zt/http';
import { Cache, CacheModule } from '@zt/cache';
import { APP_CONFIG, AppConfig, ConfigError, RUNTIME_MODE, RuntimeMode } from '@zt/config';
import { MessageBus, MessagingModule, MessagingOptions } from '@zt/messaging';
import { createMetricsRegistry, ReadinessRegistry } from '@zt/observability';
import { Database, DatabaseLocation, DatabaseModule } from '@zt/persistence';
import { Registry } from 'prom-client';
import { DiscoveryModule, ModuleRef } from '@nestjs/core';
import { AsyncApiController } from './asyncapi.controller';
import { HealthController } from './health.controller';
import { OpenApiController } from './openapi.controller';
import { OptionalInfrastructure, ServiceDefinition } from './service-definition';

// Below the readiness registry's own 2 s bound for a check.
const OPTIONAL_CHECK_TIMEOUT_MS = 1_000;

/** The infrastructure every service of the process serves without (see ServiceDefinition). */
const SERVES_WITHOUT = Symbol('SERVES_WITHOUT');

/** Everything the root module is assembled from; computed by {@link rootModule}'s callers. */
export interface RootModuleOptions {
  mode: RuntimeMode;
  processName: string;
  config: AppConfig;
  services: ServiceDefinition[];
  devIssuer?: DevIssuer;
  /** The process's admission control, shared by its HTTP edge and its gRPC server. */
  admission: AdmissionControl;
}

/** Registers a readiness check for each piece of infrastructure the process actually has. */
@Injectable()
class InfrastructureReadiness implements OnModuleInit {
  constructor(
    private readonly readiness: ReadinessRegistry,
    private readonly moduleRef: ModuleRef,
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(SERVES_WITHOUT) private readonly servesWithout: OptionalInfrastructure[],
  ) {}

  onModuleInit(): void {
    this.readiness.register('bus', () => this.check('bus', () => this.bus.isReady()));
    const database = this.optional(Database);
    if (database) this.readiness.register('database', async () => ({ ready: await database.isReady() }));
    const cache = this.optional(Cache);
    if (cache) this.readiness.register('cache', () => this.check('cache', () => cache.isReady()));
  }

  /** A dependency the process can serve without only degrades it; any other is required. */
  private async check(name: OptionalInfrastructure, up: () => Promise<boolean>) {
    if (!this.servesWithout.includes(name)) return { ready: await up() };
    // Asked within a bound of its own: an unreachable broker can take longer to refuse than the
    // readiness registry waits, and a timeout there would read as not ready, not as degraded.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), OPTIONAL_CHECK_TIMEOUT_MS);
    });
    const ready = await Promise.race([up().catch(() => false), late]);
    clearTimeout(timer);
    return { ready: true, degraded: !ready };
  }

  private optional<T>(token: abstract new (...args: never[]) => T): T | undefined {
    try {
      return this.moduleRef.get(token, { strict: false });
    } catch {
      return undefined;
    }
  }
}

/** Config, mode, readiness and metrics for every module of the process. */
@Global()
@Module({})
class CoreModule {
  static forRoot(options: RootModuleOptions): DynamicModule {
    const providers: Provider[] = [
      { provide: APP_CONFIG, useValue: options.config },
      { provide: RUNTIME_MODE, useValue: options.mode },
      { provide: AdmissionControl, useValue: options.admission },
      { provide: Registry, useValue: createMetricsRegistry(options.processName) },
      ReadinessRegistry,
    ];
    return { module: CoreModule, providers, exports: providers.map((p) => ('provide' in p ? p.provide : p)) };
  }
}

function required<T>(value: T | undefined, variable: string, service: string): T {
  if (value === undefined) throw new ConfigError(variable, `is required to run ${service} distributed`);
  return value;
}

function databaseLocation(options: RootModuleOptions): DatabaseLocation {
  if (options.mode === 'standalone') return { kind: 'embedded', dataDir: `${options.config.DATA_DIR}/pg` };
  return {
    kind: 'postgres',
    url: required(options.config.DATABASE_URL, 'DATABASE_URL', options.processName),
  };
}

function messaging(options: RootModuleOptions): MessagingOptions {
  if (options.mode === 'standalone') return { kind: 'in-process' };
  const { config } = options;
  return {
    kind: 'kafka',
    brokers: required(config.KAFKA_BROKERS, 'KAFKA_BROKERS', options.processName),
    clientId: `zt-${options.processName}-${config.INSTANCE_ID}`,
    topicPrefix: config.TOPIC_PREFIX,
    partitions: config.KAFKA_PARTITIONS,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
  };
}

@Module({})
class RootModule {}

/**
 * Assembles one process: the infrastructure each hosted service needs (embedded or real) and
 * the services themselves. Standalone hosts all four on one database, bus and cache.
 */
export function rootModule(options: RootModuleOptions): DynamicModule {
  const { config, services, mode } = options;
  const imports: DynamicModule['imports'] = [
    CoreModule.forRoot(options),
    DiscoveryModule,
    MessagingModule.forRoot(messaging(options)),
    AuthModule.forRoot({ config, devIssuer: options.devIssuer }),
  ];
  const entities = services.flatMap((s) => s.entities);
  if (services.some((s) => s.entities.length > 0 || s.migrations.length > 0)) {
    imports.push(
      DatabaseModule.forRoot({
        location: databaseLocation(options),
        entities,
        migrations: services.flatMap((s) => s.migrations),
        migrationsTableName: `zt_migrations_${options.processName.replace(/-/g, '_')}`,
      }),
    );
  }
  if (services.some((s) => s.usesCache)) {
    imports.push(
      CacheModule.forRoot(
        mode === 'standalone'
          ? { kind: 'memory' }
          : {
              kind: 'redis',
              url: required(config.REDIS_URL, 'REDIS_URL', options.processName),
              keyPrefix: config.REDIS_KEY_PREFIX,
            },
      ),
    );
  }
  imports.push(...services.map((s) => s.module));
  return {
    module: RootModule,
    imports,
    controllers: [HealthController, OpenApiController, AsyncApiController],
    providers: [
      InfrastructureReadiness,
      {
        provide: SERVES_WITHOUT,
        useValue: (['bus', 'cache'] as const).filter((name) =>
          services.every((s) => s.servesWithout?.includes(name)),
        ),
      },
    ],
  };
}
