/** Who caused a change, as recorded in events and the audit trail. */
export interface Actor {
  sub: string;
  roles: string[];
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
}

/** The topic key of a principal's changes. */
export function principalKey(id: string): string {
  return `principal:${id}`;
}

/** Every active policy and principal at one revision: what a new decision replica starts from. */
export interface PolicySnapshot {
  revision: number;
  policies: Omit<PolicyChangeData, 'change' | 'actor' | 'reason'>[];
  principals: Omit<PrincipalChangeData, 'actor' | 'reason'>[];
}

/** Supplies a {@link PolicySnapshot}; policy-admin provides one in-process when standalone. */
export interface PolicySnapshotSource {
  snapshot(): Promise<PolicySnapshot>;
}

/** Injection token of the optional {@link PolicySnapshotSource}. */
export const POLICY_SNAPSHOT_SOURCE = Symbol('POLICY_SNAPSHOT_SOURCE');

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
}
