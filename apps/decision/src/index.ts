import type { ServiceDefinition } from '@zt/runtime';
import { DecisionModule } from './decision.module';

export { DecisionModule };

/**
 * How the runtime hosts the decision service: no database, a cache (Redis when distributed). It
 * decides from memory (policy set, directory, device state), so it keeps serving while the bus
 * or the cache is down: the decision cache and rate limit are skipped, changes wait (fail static).
 */
export const decisionService: ServiceDefinition = {
  name: 'decision',
  module: DecisionModule,
  entities: [],
  migrations: [],
  usesCache: true,
  servesWithout: ['bus', 'cache'],
};
