import { DynamicModule, Global, Inject, Injectable, Module, OnModuleInit, Provider } from '@nestjs/common';
import { AuthModule, DevIssuer } from '@zt/auth';
import { Cache, CacheModule } from '@zt/cache';
import { APP_CONFIG, AppConfig, ConfigError, RUNTIME_MODE, RuntimeMode } from '@zt/config';
import { MessageBus, MessagingModule, MessagingOptions } from '@zt/messaging';
import { createMetricsRegistry, ReadinessRegistry } from '@zt/observability';
import { Database, DatabaseLocation, DatabaseModule } from '@zt/persistence';
import { Registry } from 'prom-client';
import { DiscoveryModule, ModuleRef } from '@nestjs/core';
import { HealthController } from './health.controller';
import { OpenApiController } from './openapi.controller';
import { ServiceDefinition } from './service-definition';

/** Everything the root module is assembled from; computed by {@link rootModule}'s callers. */
export interface RootModuleOptions {
  mode: RuntimeMode;
  processName: string;
  config: AppConfig;
  services: ServiceDefinition[];
  devIssuer?: DevIssuer;
}

/** Registers a readiness check for each piece of infrastructure the process actually has. */
@Injectable()
class InfrastructureReadiness implements OnModuleInit {
  constructor(
    private readonly readiness: ReadinessRegistry,
    private readonly moduleRef: ModuleRef,
    @Inject(MessageBus) private readonly bus: MessageBus,
  ) {}

  onModuleInit(): void {
    this.readiness.register('bus', async () => ({ ready: await this.bus.isReady() }));
    const database = this.optional(Database);
    if (database) this.readiness.register('database', async () => ({ ready: await database.isReady() }));
    const cache = this.optional(Cache);
    if (cache) this.readiness.register('cache', async () => ({ ready: await cache.isReady() }));
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
    controllers: [HealthController, OpenApiController],
    providers: [InfrastructureReadiness],
  };
}
