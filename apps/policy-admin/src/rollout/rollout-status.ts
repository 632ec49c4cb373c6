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
  /** The replica knows it is behind: the broker holds changes it has not applied. */
  behind: boolean;
  /**
   * Not heard from for several heartbeats (cut off from the bus, stopped without a word, or the
   * bus is down for everyone): its revision is its last known one, and it counts as pending.
   */
  silent: boolean;
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

/** How long the rollout view keeps replicas: silent after `silentAfterMs`, gone after `forgetAfterMs`. */
export interface ReplicaWindows {
  silentAfterMs: number;
  forgetAfterMs: number;
}

/**
 * The rollout view from the latest heartbeat of each replica. A replica not heard from for a few
 * heartbeats stays in the view, marked silent and pending, until it has been silent for much
 * longer: a replica cut off from the bus may well still be serving decisions from an old
 * revision, and hiding it would say the rollout is complete when it is not. A replica that said
 * it was stopping leaves at once. Times come from different hosts: propagation is as good as
 * their clocks' sync.
 */
export function rolloutStatus(
  revision: number,
  committedAt: Date | null,
  heartbeats: Iterable<DecisionHeartbeatData>,
  now: Date,
  windows: ReplicaWindows,
): RolloutStatus {
  const age = (h: DecisionHeartbeatData) => now.getTime() - Date.parse(h.at);
  const known = [...heartbeats].filter((h) => !h.stopping && age(h) <= windows.forgetAfterMs);
  const replicas = known
    .map((h) => ({
      instance: h.instanceId,
      revision: h.revision,
      lag: Math.max(0, revision - h.revision),
      reached_at: h.revisionReachedAt,
      last_seen: h.at,
      ready: h.ready,
      stale_seconds: h.staleSeconds,
      behind: h.behind === true,
      silent: age(h) > windows.silentAfterMs,
    }))
    .sort((a, b) => a.instance.localeCompare(b.instance));
  const pending = replicas.filter((r) => r.revision < revision || r.silent).map((r) => r.instance);
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
