import type { PolicySnapshot } from './payloads';

/** Which revision a historical snapshot is of, and when that revision was committed. */
export interface SnapshotAsOf {
  revision: number;
  /** Null for a revision committed before policy-admin kept commit times. */
  committed_at: string | null;
}

/** The whole policy state (policies, principals, resources) as it was at one past revision. */
export type HistoricalSnapshot = PolicySnapshot & { as_of: SnapshotAsOf };

/** A revision, or an RFC 3339 instant standing for the last revision committed at or before it. */
export type HistoricalSnapshotQuery = { revision: number } | { at: string };

/**
 * The problem code of a question about a time or revision older than the history policy-admin
 * keeps (or before any revision): answered 422, never with another revision's state.
 */
export const HISTORY_NOT_AVAILABLE = 'HISTORY_NOT_AVAILABLE';

/** Supplies historical snapshots; policy-admin provides one in-process when standalone. */
export interface HistoricalSnapshotSource {
  snapshotAt(query: HistoricalSnapshotQuery): Promise<HistoricalSnapshot>;
}

/** Injection token of the optional {@link HistoricalSnapshotSource}. */
export const HISTORICAL_SNAPSHOT_SOURCE = Symbol('HISTORICAL_SNAPSHOT_SOURCE');
