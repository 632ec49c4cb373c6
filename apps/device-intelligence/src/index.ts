import type { ServiceDefinition } from '@zt/runtime';
import { DeviceIntelligenceModule } from './device-intelligence.module';

export { DeviceIntelligenceModule };

/** How the runtime hosts device-intelligence. */
export const deviceIntelligenceService: ServiceDefinition = {
  name: 'device-intelligence',
  module: DeviceIntelligenceModule,
  entities: [],
  migrations: [],
  usesCache: false,
};
