/** Who caused a change, as recorded in events and the audit trail. */
export interface Actor {
  sub: string;
  roles: string[];
}

/** Most changes one atomic change set may carry (and so most events it publishes). */
export const MAX_CHANGESET_CHANGES = 1000;

/**
 * Marks a change event as one of an atomic change set (`POST /v1/zt-policy/changesets`): every
 * event of a set carries the same revision, set id and count, and a decision replica applies
 * none of them until it holds all `count` (or a later revision proves the rest were compacted
 * away), so no decision sees half a set.
 */
export interface ChangeSetMarker {
  id: string;
  /** How many change events the set published (its unchanged puts publish none). */
  count: number;
}

export type PolicyChangeKind = 'created' | 'updated' | 'deleted' | 'restored' | 'rolled_back';

/** The three accepted policy shapes: seed 000 (API), seed 001 (NIST SP 800-207), seed 002 (ZTNA). */
export type PolicyDocumentFormat = 'zt' | 'nist' | 'ztna';

/**
 * Data of a `zt.policy.changes` event (key: policy id). It carries the policy document as the
 * administrator wrote it (null once deleted), so consumers validate it with exactly the code
 * that validated the HTTP request.
 */
export interface PolicyChangeData {
  policyId: string;
  change: PolicyChangeKind;
  /** The policy's own version number after the change. */
  version: number;
  /** The policy set's revision after the change: a global counter, increasing with every change. */
  revision: number;
  format: PolicyDocumentFormat;
  document: Record<string, unknown> | null;
  actor: Actor;
  reason?: string;
  /** Present when the change is one of an atomic change set. */
  changeset?: ChangeSetMarker;
}

/** An entry of the principal directory: what the organisation knows about a subject. */
export interface DirectoryPrincipal {
  id: string;
  type: 'user' | 'service' | 'workload' | 'device';
  roles: string[];
  groups: string[];
  attributes: Record<string, unknown>;
}

/**
 * Data of a principal change on `zt.policy.changes` (key: `principal:<id>`, so compaction never
 * mixes a principal with a policy of the same id). `principal` is null once deleted.
 */
export interface PrincipalChangeData {
  principalId: string;
  revision: number;
  principal: DirectoryPrincipal | null;
  actor: Actor;
  reason?: string;
  /** Present when the change is one of an atomic change set. */
  changeset?: ChangeSetMarker;
}

/** The topic key of a principal's changes. */
export function principalKey(id: string): string {
  return `principal:${id}`;
}

/**
 * An entry of the resource directory: what the organisation knows about a resource (its owner,
 * department, classification…), so that a search can answer "which todos may Rick delete".
 */
export interface DirectoryResource {
  type: string;
  id: string;
  properties: Record<string, unknown>;
}

/**
 * Data of a resource change on `zt.policy.changes` (key: `resource:<type>/<id>`). `resource` is
 * null once deleted. Shares the policies' revision counter, like principals.
 */
export interface ResourceChangeData {
  resourceType: string;
  resourceId: string;
  revision: number;
  resource: DirectoryResource | null;
  actor: Actor;
  reason?: string;
  /** Present when the change is one of an atomic change set. */
  changeset?: ChangeSetMarker;
}

/** The topic key of a resource's changes (and the key of the replica's directory map). */
export function resourceKey(type: string, id: string): string {
  return `resource:${type}/${id}`;
}

/** Every active policy, principal and resource at one revision: what a new decision replica starts from. */
export interface PolicySnapshot {
  revision: number;
  policies: Omit<PolicyChangeData, 'change' | 'actor' | 'reason' | 'changeset'>[];
  principals: Omit<PrincipalChangeData, 'actor' | 'reason' | 'changeset'>[];
  /** Absent in snapshots from a policy-admin older than the resource directory. */
  resources?: Omit<ResourceChangeData, 'actor' | 'reason' | 'changeset'>[];
}

/** Supplies a {@link PolicySnapshot}; policy-admin provides one in-process when standalone. */
export interface PolicySnapshotSource {
  snapshot(): Promise<PolicySnapshot>;
}

/** Injection token of the optional {@link PolicySnapshotSource}. */
export const POLICY_SNAPSHOT_SOURCE = Symbol('POLICY_SNAPSHOT_SOURCE');

/** What device intelligence holds of one device: its latest posture and risk verdict. */
export interface StoredDeviceState {
  posture: DevicePostureData;
  risk: DeviceRiskData | null;
}

/**
 * Supplies every device's stored state; device intelligence provides one in-process when
 * standalone, where the decision service's device state would otherwise start empty after a
 * restart (and a restriction would be lifted until the device reported again).
 */
export interface DeviceStateSource {
  deviceStates(): Promise<StoredDeviceState[]>;
}

/** Injection token of the optional {@link DeviceStateSource}. */
export const DEVICE_STATE_SOURCE = Symbol('DEVICE_STATE_SOURCE');

/** Data of a `zt.decision.log` event (key: decision id). */
export interface DecisionLogData {
  decisionId: string;
  requestDigest: string;
  decision: string;
  subject: string;
  action: string;
  resource: string;
  policies: { id: string; version: number }[];
  revision: number;
  latencyMs: number;
  /** Whether the decision came from the decision cache. */
  cached?: boolean;
  /** The share of such decisions that are logged (allow decisions may be sampled); 1 means all. */
  sampleRate?: number;
  /** When the decision was made (ISO 8601); in batches, where the envelope's time is the batch's. */
  at?: string;
  /** The correlation id of the request that asked, in batches. */
  correlationId?: string;
  /**
   * What the engine decided on: the request after the token's, the directories' and the device's
   * facts joined it (DECISION_LOG_INPUTS), so that a policy change can be replayed on it.
   */
  input?: RecordedDecisionInput;
  /** Some of `input` is replaced by digests (DECISION_LOG_REDACT): it cannot be replayed. */
  inputRedacted?: boolean;
}

/**
 * A decision's recorded input, in the engine's request shape (subject, action, resource,
 * context). Kept structural here: the contracts do not depend on the engine.
 */
export interface RecordedDecisionInput {
  subject: {
    type?: string;
    id: string;
    roles?: string[];
    groups?: string[];
    attributes?: Record<string, unknown>;
  };
  action: string;
  resource: { type?: string; id: string; attributes?: Record<string, unknown> };
  context?: Record<string, unknown>;
}

/**
 * Data of a `com.zt.decision.batch` event on `zt.decision.log`: many decisions in one message,
 * because encoding one Kafka record per decision costs more than the decision itself. Consumers
 * handle each decision as if it had come alone (`com.zt.decision.made`).
 */
export interface DecisionBatchData {
  decisions: DecisionLogData[];
}

/** What device intelligence does with a device when the risk model cannot answer. */
export type ModelFailurePolicy = 'deny' | 'allow' | 'last_known';

/** The registered external risk model (seed: `POST /device-intelligence/integrate`). */
export interface ModelIntegration {
  modelUrl: string;
  /** Scores above it restrict the device (0 to 1, as the model answers). */
  threshold: number;
  timeoutMs: number;
  onFailure: ModelFailurePolicy;
}

/** Data of a model integration change on `zt.admin.actions` (key: `model-integration`). */
export interface ModelIntegrationChangeData {
  /** Null once the integration was removed. */
  integration: ModelIntegration | null;
  actor: Actor;
}

/** Data of an audit export record: who took a copy of the trail (the export ends with it). */
export interface AuditExportedData {
  actor: Actor;
}

/** Device posture signals as an agent or MDM reports them; every signal is optional. */
export interface DeviceSignals {
  managed?: boolean;
  disk_encrypted?: boolean;
  os_name?: string;
  os_version?: string;
  edr_running?: boolean;
  patch_age_days?: number;
  jailbroken?: boolean;
  network_type?: 'corporate' | 'home' | 'public' | 'cellular' | 'vpn' | 'unknown';
  country?: string;
  failed_logins_24h?: number;
  /** An MDM's own compliance verdict, when it has one. */
  compliant?: boolean;
  /** Vendor-specific signals: scalars only. */
  [signal: string]: string | number | boolean | undefined;
}

/**
 * How far in the future a device observation may claim to be and still be believed. Agents'
 * clocks drift; beyond this a report would shadow every honest one until its time came, so
 * posture intake refuses it and the decision service does not take it as fresher.
 */
export const MAX_OBSERVATION_CLOCK_AHEAD_MS = 5 * 60_000;

/**
 * A device's posture as the services hold it. On `zt.device.posture` it travels in snake_case
 * (`DevicePostureEventData`, see `postureEventData`/`postureFromEvent`), like the HTTP body.
 */
export interface DevicePostureData {
  deviceId: string;
  signals: DeviceSignals;
  /** When the agent observed the signals (ISO 8601). */
  observedAt: string;
}

/** Data of a `zt.device.risk` event (key: device id), the seed's risk score with its verdict. */
export interface DeviceRiskData {
  deviceId: string;
  /** The model's score, 0 (trusted) to 1; null when the model could not answer. */
  score: number | null;
  model: string;
  threshold: number;
  /** True when access from this device must be restricted. */
  restricted: boolean;
  /** Why the score was not the model's fresh answer, when it was not. */
  failure?: string;
  explanation: string[];
  /** When the posture that was scored was observed (ISO 8601). */
  observedAt: string;
  /** When it was scored (ISO 8601). */
  at: string;
}

/** Data of a `zt.decision.heartbeats` event (key: instance id): what one decision replica has applied. */
export interface DecisionHeartbeatData {
  instanceId: string;
  revision: number;
  /** When the replica reached that revision (ISO 8601). */
  revisionReachedAt: string;
  startedAt: string;
  ready: boolean;
  /** Seconds since the replica last heard from the bus. */
  staleSeconds: number;
  /**
   * Whether the replica knows it is behind: the broker holds policy changes it has not applied
   * for longer than a moment. Absent from replicas older than this field.
   */
  behind?: boolean;
  /** Policy-topic messages the broker holds that the replica has not applied yet. */
  lagMessages?: number;
  /** The replica's last heartbeat before it stops: the rollout view forgets it at once. */
  stopping?: boolean;
  at: string;
}
