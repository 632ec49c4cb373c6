import type { ServiceDefinition } from '@zt/runtime';
import { DeviceIntelligenceModule } from './device-intelligence.module';
import { DeviceIntelligenceInit1763800000006 } from './migrations/1763800000006-device-intelligence-init';

export { DeviceIntelligenceModule };

/** How the runtime hosts device-intelligence. */
export const deviceIntelligenceService: ServiceDefinition = {
  name: 'device-intelligence',
  module: DeviceIntelligenceModule,
  entities: [],
  migrations: [DeviceIntelligenceInit1763800000006],
  usesCache: false,
};
