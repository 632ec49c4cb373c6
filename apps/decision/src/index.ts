import type { ServiceDefinition } from '@zt/runtime';
import { DecisionModule } from './decision.module';

export { DecisionModule };

/** How the runtime hosts the decision service: no database, a cache (Redis when distributed). */
export const decisionService: ServiceDefinition = {
  name: 'decision',
  module: DecisionModule,
  entities: [],
  migrations: [],
  usesCache: true,
};
