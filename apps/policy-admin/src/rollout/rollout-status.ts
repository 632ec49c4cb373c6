import type { DecisionHeartbeatData } from '@zt/contracts';

/** One decision replica as the rollout view shows it. */
export interface ReplicaStatus {
  instance: string;
  revision: number;
  /** How many revisions it is behind the admin's current one. */
  lag: number;
  reached_at: string;
  last_seen: string;
  ready: boolean;
  stale_seconds: number;
}

/** Where the latest change stands: reached by every live replica, or still pending at some. */
export interface LastChange {
  revision: number;
  committed_at: string | null;
  reached_all_at: string | null;
  /** From commit to the last live replica applying it; null while pending. */
  propagation_ms: number | null;
  pending: string[];
}

/** `GET /v1/zt-policy/status`. */
export interface RolloutStatus {
  revision: number;
  replicas: ReplicaStatus[];
  last_change: LastChange;
}

/**
 * The rollout view from the latest heartbeat of each replica. Replicas not heard from within
 * `liveWithinMs` are left out (stopped or cut off); the rest either reached the current revision
 * or are pending. Times come from different hosts: propagation is as good as their clocks' sync.
 */
export function rolloutStatus(
  revision: number,
  committedAt: Date | null,
  heartbeats: Iterable<DecisionHeartbeatData>,
  now: Date,
  liveWithinMs: number,
): RolloutStatus {
  const live = [...heartbeats].filter((h) => now.getTime() - Date.parse(h.at) <= liveWithinMs);
  const replicas = live
    .map((h) => ({
      instance: h.instanceId,
      revision: h.revision,
      lag: Math.max(0, revision - h.revision),
      reached_at: h.revisionReachedAt,
      last_seen: h.at,
      ready: h.ready,
      stale_seconds: h.staleSeconds,
    }))
    .sort((a, b) => a.instance.localeCompare(b.instance));
  const pending = replicas.filter((r) => r.revision < revision).map((r) => r.instance);
  const reached = replicas.filter((r) => r.revision >= revision).map((r) => Date.parse(r.reached_at));
  const done = replicas.length > 0 && pending.length === 0;
  const reachedAll = done ? new Date(Math.max(...reached)) : null;
  return {
    revision,
    replicas,
    last_change: {
      revision,
      committed_at: committedAt?.toISOString() ?? null,
      reached_all_at: reachedAll?.toISOString() ?? null,
      propagation_ms:
        reachedAll && committedAt ? Math.max(0, reachedAll.getTime() - committedAt.getTime()) : null,
      pending,
    },
  };
}
