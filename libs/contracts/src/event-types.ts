/** CloudEvents `type` values, reverse-DNS as the spec recommends. */
export const EventTypes = {
  policyCreated: 'com.zt.policy.created',
  policyUpdated: 'com.zt.policy.updated',
  policyDeleted: 'com.zt.policy.deleted',
  principalUpserted: 'com.zt.principal.upserted',
  principalDeleted: 'com.zt.principal.deleted',
  resourceUpserted: 'com.zt.resource.upserted',
  resourceDeleted: 'com.zt.resource.deleted',
  decisionMade: 'com.zt.decision.made',
  decisionBatch: 'com.zt.decision.batch',
  decisionHeartbeat: 'com.zt.decision.heartbeat',
  devicePosture: 'com.zt.device.posture',
  deviceRisk: 'com.zt.device.risk',
  modelIntegrationSet: 'com.zt.device.integration.set',
  modelIntegrationRemoved: 'com.zt.device.integration.removed',
  auditExported: 'com.zt.audit.exported',
  auditRetention: 'com.zt.audit.retention',
  auditRecord: 'com.zt.audit.record',
  auditCheckpoint: 'com.zt.audit.checkpoint',
} as const;

export type EventType = (typeof EventTypes)[keyof typeof EventTypes];

/** CloudEvents `source` of each service. */
export const EventSources = {
  policyAdmin: '/zt/policy-admin',
  decision: '/zt/decision',
  deviceIntelligence: '/zt/device-intelligence',
  audit: '/zt/audit',
} as const;
