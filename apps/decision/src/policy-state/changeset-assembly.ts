import type { ChangeSetMarker } from '@zt/contracts';

/** One change held back until its set is whole; `key` is its topic key (one per target). */
export interface HeldChange<T> {
  key: string;
  revision: number;
  changeset: ChangeSetMarker;
  change: T;
}

/**
 * Collects the change events of one atomic change set until the set is whole. The policy topic
 * has one partition and the outbox publishes a set's events back to back, so at most one set is
 * open at a time. A set is whole when it holds `count` distinct targets, or when a change of a
 * later revision arrives: on a compacted topic a set's event disappears only once a later event
 * for the same key exists, so a later revision proves the missing ones were superseded.
 */
export class ChangeSetAssembly<T> {
  private open: { id: string; revision: number; count: number; held: Map<string, HeldChange<T>> } | undefined;

  /** The revision of the set being collected, if any. */
  get openRevision(): number | undefined {
    return this.open?.revision;
  }

  /**
   * Takes a change that arrived. Returns the changes to apply now, in order: the open set when
   * this change closes it (a later revision, or its last member), and this change itself when it
   * belongs to no set. Duplicates (a relay that re-published after a crash) replace their twin.
   */
  offer(
    key: string,
    revision: number,
    changeset: ChangeSetMarker | undefined,
    change: T,
  ): {
    closed: HeldChange<T>[];
    single: boolean;
  } {
    const closed: HeldChange<T>[] = [];
    if (this.open && (revision > this.open.revision || (changeset && changeset.id !== this.open.id))) {
      closed.push(...this.open.held.values());
      this.open = undefined;
    }
    if (!changeset) return { closed, single: true };
    this.open ??= { id: changeset.id, revision, count: changeset.count, held: new Map() };
    this.open.held.set(key, { key, revision, changeset, change });
    if (this.open.held.size >= this.open.count) {
      closed.push(...this.open.held.values());
      this.open = undefined;
    }
    return { closed, single: false };
  }

  /** Forgets an open set a snapshot at `revision` already holds whole. */
  dropUpTo(revision: number): void {
    if (this.open && this.open.revision <= revision) this.open = undefined;
  }
}
