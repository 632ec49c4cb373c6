import { Injectable, Logger } from '@nestjs/common';
import type {
  DirectoryPrincipal,
  PolicyChangeData,
  PolicySnapshot,
  PrincipalChangeData,
} from '@zt/contracts';
import { principalKey } from '@zt/contracts';
import { parsePolicy, PolicySet } from '@zt/policy-engine';

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
  private readonly appliedRevision = new Map<string, number>();
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

  /** Applies one change from the bus; returns false when it was already applied or invalid. */
  apply(
    change: Pick<PolicyChangeData, 'policyId' | 'revision' | 'version' | 'format' | 'document'>,
  ): boolean {
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
    this.advance(change.revision);
    return true;
  }

  /** Applies one principal change; same idempotence rule as policies, under the principal's key. */
  applyPrincipal(change: Pick<PrincipalChangeData, 'principalId' | 'revision' | 'principal'>): boolean {
    const key = principalKey(change.principalId);
    if (change.revision <= (this.appliedRevision.get(key) ?? 0)) return false;
    if (change.principal) this.directory.set(change.principalId, change.principal);
    else this.directory.delete(change.principalId);
    this.appliedRevision.set(key, change.revision);
    this.advance(change.revision);
    return true;
  }

  /** Loads a snapshot on top of whatever the stream already delivered. */
  load(snapshot: PolicySnapshot): void {
    const started = performance.now();
    for (const record of snapshot.policies) this.apply(record);
    for (const record of snapshot.principals) this.applyPrincipal(record);
    this.advance(snapshot.revision);
    this.logger.log(
      `loaded the snapshot at revision ${snapshot.revision} (${snapshot.policies.length} policies) in ${Math.round(performance.now() - started)} ms`,
    );
  }
}
