import type { DynamicModule, Type } from '@nestjs/common';
import type { ClassType } from '@zt/persistence';

/** The four deployable services. */
export type ServiceName = 'policy-admin' | 'decision' | 'device-intelligence' | 'audit';

/** What the runtime needs to know to host one service, alone or beside the others. */
export interface ServiceDefinition {
  name: ServiceName;
  module: Type | DynamicModule;
  /** TypeORM entities and committed migrations; neither means the service has no database. */
  entities: ClassType[];
  migrations: ClassType[];
  /** Whether the service uses the cache (Redis when distributed). */
  usesCache: boolean;
  /**
   * Infrastructure the service keeps serving without, from what it holds in memory: while it is
   * down the process stays ready and /readyz says "degraded" instead of "not_ready".
   */
  servesWithout?: OptionalInfrastructure[];
}

/** Infrastructure a service may be able to do without for a while. */
export type OptionalInfrastructure = 'bus' | 'cache';
