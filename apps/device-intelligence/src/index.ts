import type { ServiceDefinition } from '@zt/runtime';
import { DeviceIntelligenceModule } from './device-intelligence.module';
import { DeviceIntelligenceInit1763800000006 } from './migrations/1763800000006-device-intelligence-init';
import { SsfStreams1763800000026 } from './migrations/1763800000026-ssf-streams';

export { DeviceIntelligenceModule };

/** How the runtime hosts device-intelligence. */
export const deviceIntelligenceService: ServiceDefinition = {
  name: 'device-intelligence',
  module: DeviceIntelligenceModule,
  entities: [],
  migrations: [DeviceIntelligenceInit1763800000006, SsfStreams1763800000026],
  usesCache: false,
};
