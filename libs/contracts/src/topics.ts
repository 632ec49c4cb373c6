/** The Kafka topics the services exchange; the in-process bus uses the same names. */
export const Topics = {
  /** Policy AND principal-directory changes: one topic, one partition, so the revision is a total order. */
  policyChanges: 'zt.policy.changes',
  devicePosture: 'zt.device.posture',
  deviceRisk: 'zt.device.risk',
  decisionLog: 'zt.decision.log',
  auditEvents: 'zt.audit.events',
  /** Administrative actions outside the policy set (model integration changes, audit exports). */
  adminActions: 'zt.admin.actions',
  /** Each decision replica's applied revision, every few seconds: rollout visibility. */
  decisionHeartbeats: 'zt.decision.heartbeats',
  /** Events a consumer refused (invalid or unsafe) and did not apply; the audit trail records them. */
  deadLetters: 'zt.dead.letters',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

/** Every topic the project creates at start (auto-creation is off on our brokers). */
export const ALL_TOPICS: readonly TopicName[] = Object.values(Topics);

/**
 * Topics that hold the latest state per key and are therefore log-compacted. The device topics
 * are keyed by device id, so they keep every device's latest posture and verdict for as long as
 * the device exists: a decision replica rebuilds its device state from them, and a restriction
 * can never age out of the log.
 */
export const COMPACTED_TOPICS: readonly TopicName[] = [
  Topics.policyChanges,
  Topics.devicePosture,
  Topics.deviceRisk,
];

/** Topics whose messages are only worth keeping briefly, with their retention in milliseconds. */
export const SHORT_LIVED_TOPICS: Partial<Record<TopicName, number>> = {
  [Topics.decisionHeartbeats]: 3_600_000,
};

/**
 * Topics whose consumers depend on a single total order, so they have exactly one partition.
 * The policy revision is a gap-free counter that decision replicas compare; the audit stream is
 * a hash chain that a SIEM can only check record after record, in sequence.
 */
export const SINGLE_PARTITION_TOPICS: readonly TopicName[] = [Topics.policyChanges, Topics.auditEvents];
