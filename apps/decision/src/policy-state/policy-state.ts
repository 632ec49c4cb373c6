import { Injectable, Logger } from '@nestjs/common';
import type {
  DirectoryPrincipal,
  DirectoryResource,
  PolicyChangeData,
  PolicySnapshot,
  PrincipalChangeData,
  ResourceChangeData,
} from '@zt/contracts';
import { principalKey, resourceKey } from '@zt/contracts';
import { parsePolicy, PolicySet } from '@zt/policy-engine';
import { ChangeSetAssembly } from './changeset-assembly';

// What the state needs of each change event: the content, its revision and its change set.
type PolicyInput = Pick<
  PolicyChangeData,
  'policyId' | 'revision' | 'version' | 'format' | 'document' | 'changeset'
>;
type PrincipalInput = Pick<PrincipalChangeData, 'principalId' | 'revision' | 'principal' | 'changeset'>;
type ResourceInput = Pick<
  ResourceChangeData,
  'resourceType' | 'resourceId' | 'revision' | 'resource' | 'changeset'
>;

type StateChange =
  | { kind: 'policy'; change: PolicyInput }
  | { kind: 'principal'; change: PrincipalInput }
  | { kind: 'resource'; change: ResourceInput };

/**
 * The active policy set of this replica, compiled and indexed by the engine, and the revision
 * it has reached. Changes are idempotent: a change at or below the revision already applied to
 * its policy is ignored, so replays, duplicates and snapshot/stream overlap are all harmless.
 */
@Injectable()
export class PolicyState {
  private readonly logger = new Logger('PolicyState');
  readonly policies = new PolicySet();
  /** The principal directory: roles, groups and attributes by subject id. */
  readonly directory = new Map<string, DirectoryPrincipal>();
  /** The resource directory: properties by {@link resourceKey}. */
  readonly resources = new Map<string, DirectoryResource>();
  private readonly appliedRevision = new Map<string, number>();
  private readonly sets = new ChangeSetAssembly<StateChange>();
  private current = 0;
  private reachedAt = new Date(0);
  private waiters: { revision: number; resolve: (reached: boolean) => void }[] = [];
  private readonly listeners: ((revision: number) => void)[] = [];

  /** The highest policy-set revision this replica has applied. */
  get revision(): number {
    return this.current;
  }

  /** When this replica reached its current revision. */
  get revisionReachedAt(): Date {
    return this.reachedAt;
  }

  /** Calls `listener` each time the revision advances. */
  onRevision(listener: (revision: number) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Resolves true once the revision reaches `revision`, or false after `timeoutMs` (read-your-
   * writes: a caller that saw revision r from the admin API must not be answered from older policy).
   */
  waitForRevision(revision: number, timeoutMs: number): Promise<boolean> {
    if (this.current >= revision) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = { revision, resolve };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      waiter.resolve = (reached) => {
        clearTimeout(timer);
        resolve(reached);
      };
      this.waiters.push(waiter);
    });
  }

  private advance(revision: number): void {
    if (revision <= this.current) return;
    this.current = revision;
    this.reachedAt = new Date();
    const due = this.waiters.filter((w) => w.revision <= revision);
    this.waiters = this.waiters.filter((w) => w.revision > revision);
    for (const w of due) w.resolve(true);
    for (const listener of this.listeners) listener(revision);
  }

  /**
   * Applies one change from the bus; returns false when it was already applied or invalid. A
   * change of an atomic change set is held until the set is whole, then the set is applied in one
   * synchronous turn and the revision advances once: decisions run on this event loop, so none
   * sees half a set.
   */
  apply(change: PolicyInput): boolean {
    return this.receive(change.policyId, { kind: 'policy', change });
  }

  /** Applies one principal change; same idempotence rule as policies, under the principal's key. */
  applyPrincipal(change: PrincipalInput): boolean {
    return this.receive(principalKey(change.principalId), { kind: 'principal', change });
  }

  /** Applies one resource change; same idempotence rule, under the resource's key. */
  applyResource(change: ResourceInput): boolean {
    return this.receive(resourceKey(change.resourceType, change.resourceId), { kind: 'resource', change });
  }

  private receive(key: string, item: StateChange): boolean {
    const { revision, changeset } = item.change;
    // At or below the revision reached (a replay under a snapshot), nothing is left to assemble.
    const marker = revision > this.current ? changeset : undefined;
    const { closed, single } = this.sets.offer(key, revision, marker, item);
    if (closed.length > 0) {
      for (const held of closed) this.write(held.change);
      this.advance(closed[0].revision);
    }
    if (!single) return true;
    const applied = this.write(item);
    if (applied) this.advance(revision);
    return applied;
  }

  /** Writes one change into the state without advancing the revision. */
  private write(item: StateChange): boolean {
    switch (item.kind) {
      case 'policy':
        return this.writePolicy(item.change);
      case 'principal':
        return this.writePrincipal(item.change);
      case 'resource':
        return this.writeResource(item.change);
    }
  }

  private writePolicy(change: PolicyInput): boolean {
    if (change.revision <= (this.appliedRevision.get(change.policyId) ?? 0)) return false;
    if (change.document === null) {
      this.policies.remove(change.policyId);
    } else {
      // Bus input is validated exactly like HTTP input; an invalid document is refused, not guessed at.
      const parsed = parsePolicy(change.document, {
        format: change.format,
        defaultId: change.policyId,
        version: change.version,
      });
      if (!parsed.ok) {
        this.logger.error(
          `refused policy ${change.policyId} r${change.revision}: ${parsed.errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`,
        );
        return false;
      }
      this.policies.upsert(parsed.policy);
    }
    this.appliedRevision.set(change.policyId, change.revision);
    return true;
  }

  private writePrincipal(change: PrincipalInput): boolean {
    const key = principalKey(change.principalId);
    if (change.revision <= (this.appliedRevision.get(key) ?? 0)) return false;
    if (change.principal) this.directory.set(change.principalId, change.principal);
    else this.directory.delete(change.principalId);
    this.appliedRevision.set(key, change.revision);
    return true;
  }

  private writeResource(change: ResourceInput): boolean {
    const key = resourceKey(change.resourceType, change.resourceId);
    if (change.revision <= (this.appliedRevision.get(key) ?? 0)) return false;
    if (change.resource) this.resources.set(key, change.resource);
    else this.resources.delete(key);
    this.appliedRevision.set(key, change.revision);
    return true;
  }

  /**
   * Loads a snapshot on top of whatever the stream already delivered; `what` names it in the log
   * (a state built for time travel is not this replica's own).
   */
  load(snapshot: PolicySnapshot, what = 'the snapshot'): void {
    const started = performance.now();
    // A snapshot is read in one transaction, so it ends on a whole change set.
    for (const change of snapshot.policies) this.writePolicy(change);
    for (const change of snapshot.principals) this.writePrincipal(change);
    for (const change of snapshot.resources ?? []) this.writeResource(change);
    this.sets.dropUpTo(snapshot.revision);
    this.advance(snapshot.revision);
    this.logger.log(
      `loaded ${what} at revision ${snapshot.revision} (${snapshot.policies.length} policies) in ${Math.round(performance.now() - started)} ms`,
    );
  }
}
