import { auditService } from '@zt/audit';
import { decisionService } from '@zt/decision';
import { deviceIntelligenceService } from '@zt/device-intelligence';
import { policyAdminService } from '@zt/policy-admin';
import type { ServiceDefinition } from '@zt/runtime';

/** The four services, in the order their modules start. */
export const ALL_SERVICES: ServiceDefinition[] = [
  policyAdminService,
  decisionService,
  deviceIntelligenceService,
  auditService,
];
