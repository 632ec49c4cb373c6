import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Principal } from '@zt/auth';
import { canonicalJson } from '@zt/contracts';
import { FieldError, ProblemError } from '@zt/http';
import { exportPolicy } from '@zt/policy-engine';
import { PolicyAdminOutboxRelay } from '../outbox/outbox.relay';
import { PoliciesRepository, PolicyTransaction } from '../policies/policies.repository';
import { ChangeContext, PoliciesService } from '../policies/policies.service';
import { PolicyEntity } from '../policies/policy.entity';
import { principalContent, PrincipalsService } from '../principals/principals.service';
import { PrincipalEntity } from '../principals/principal.entity';
import { ResourceEntity } from '../resources/resource.entity';
import { ResourcesService } from '../resources/resources.service';
import { Change, ChangeSetInput, targetOf } from './changeset-input';
import { ChangeKind, ChangeOp } from './changeset.schema';

/** What one change did (or, validated only, would do). */
export interface ChangeResult {
  kind: ChangeKind;
  type?: string;
  id: string;
  op: ChangeOp;
  result: 'created' | 'updated' | 'deleted' | 'unchanged';
  /** The target's version after the set; absent for a removed principal or resource (no history kept). */
  version?: number;
}

/** The answer of a change set. */
export interface ChangeSetResult {
  revision: number;
  changeset_id?: string;
  changes: ChangeResult[];
}

type Existing = PolicyEntity | PrincipalEntity | ResourceEntity | null;

/** A change with the locked row it applies to and what it does to it. */
interface Planned {
  change: Change;
  existing: Existing;
  outcome: ChangeResult;
}

/**
 * A set may do nothing its caller could not do one change at a time: deleting a policy takes
 * infra_admin with MFA, as `DELETE /policies/{id}` does (the route itself admits policy_admin).
 */
function assertAllowed(input: ChangeSetInput, actor: Principal): void {
  const deletes = input.changes.flatMap((c, i) => (c.kind === 'policy' && c.op === 'delete' ? [i] : []));
  if (deletes.length === 0) return;
  const errors = deletes.map((i) => ({
    pointer: `/changes/${i}`,
    detail: 'deleting a policy takes infra_admin with MFA',
  }));
  if (!actor.roles.includes('infra_admin')) {
    throw new ProblemError(403, 'ROLE_REQUIRED', 'Deleting a policy requires the role infra_admin.', {
      errors,
      requiredRoles: ['infra_admin'],
    });
  }
  if (!actor.mfa) {
    throw new ProblemError(403, 'MFA_REQUIRED', 'Deleting a policy requires multi-factor authentication.', {
      errors,
      mfaRequired: true,
    });
  }
}

const same = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

/**
 * Atomic change sets: every change of a set is written in one transaction at one revision, with
 * one event per written target marked with the set's id and count, so decision replicas apply
 * the set whole. Validation is the single endpoints'; the writes are theirs too.
 */
@Injectable()
export class ChangeSetsService {
  constructor(
    private readonly repository: PoliciesRepository,
    private readonly policies: PoliciesService,
    private readonly principals: PrincipalsService,
    private readonly resources: ResourcesService,
    private readonly relay: PolicyAdminOutboxRelay,
  ) {}

  /** Applies a validated set, or refuses it whole (412 when the set moved, 409 on a missing target). */
  async apply(input: ChangeSetInput, context: ChangeContext): Promise<ChangeSetResult> {
    assertAllowed(input, context.actor);
    const result = await this.repository.inTransaction(async (tx) => {
      const { revision, planned } = await this.plan(tx, input);
      const writes = planned.filter((p) => p.outcome.result !== 'unchanged');
      // Nothing to change takes no revision and publishes nothing: re-applying a set is free.
      if (writes.length === 0) return { revision, changes: planned.map((p) => p.outcome) };
      const next = await tx.nextRevision();
      const changeset = { id: randomUUID(), count: writes.length };
      const setContext: ChangeContext = { ...context, reason: input.reason ?? context.reason, changeset };
      for (const p of writes) await this.write(tx, p, setContext, next);
      return { revision: next, changeset_id: changeset.id, changes: planned.map((p) => p.outcome) };
    });
    this.relay.kick();
    return result;
  }

  /** What the set would do, checked against the stored state, without writing anything. */
  validate(input: ChangeSetInput): Promise<ChangeSetResult> {
    return this.repository.inTransaction(async (tx) => {
      const { revision, planned } = await this.plan(tx, input);
      return { revision, changes: planned.map((p) => p.outcome) };
    });
  }

  /**
   * Locks every target, then the revision counter (the order single writes take them in, so
   * the two never deadlock; targets in one sorted order so two sets never do), checks the
   * precondition and decides each change's outcome.
   */
  private async plan(
    tx: PolicyTransaction,
    input: ChangeSetInput,
  ): Promise<{ revision: number; planned: Planned[] }> {
    const order = input.changes.map((change, i) => ({ change, i, target: targetOf(change) }));
    order.sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
    const existing: Existing[] = new Array<Existing>(input.changes.length).fill(null);
    for (const { change, i } of order) existing[i] = await this.lock(tx, change);
    const revision = await tx.currentRevisionForUpdate();
    if (input.expectedRevision !== undefined && input.expectedRevision !== revision) {
      throw new ProblemError(
        412,
        'PRECONDITION_FAILED',
        `The policy set is at revision ${revision}, not ${input.expectedRevision}; nothing was changed.`,
        { errors: [{ pointer: '/expected_revision', detail: `the current revision is ${revision}` }] },
      );
    }
    const missing: FieldError[] = [];
    const planned = input.changes.map((change, i) => {
      const outcome = this.outcome(change, existing[i]);
      if (!outcome) missing.push({ pointer: `/changes/${i}/id`, detail: `no such ${change.kind} to delete` });
      return { change, existing: existing[i], outcome: outcome as ChangeResult };
    });
    if (missing.length > 0) {
      throw new ProblemError(
        409,
        'CONFLICT',
        'The change set deletes what does not exist; nothing was changed.',
        {
          errors: missing,
        },
      );
    }
    return { revision, planned };
  }

  private lock(tx: PolicyTransaction, change: Change): Promise<Existing> {
    switch (change.kind) {
      case 'policy':
        return tx.findForUpdate(change.id);
      case 'principal':
        return tx.findPrincipalForUpdate(change.id);
      case 'resource':
        return tx.findResourceForUpdate(change.type, change.id);
    }
  }

  /** The outcome of one change against its stored row; undefined for a delete of nothing. */
  private outcome(change: Change, existing: Existing): ChangeResult | undefined {
    const base = {
      kind: change.kind,
      ...(change.kind === 'resource' ? { type: change.type } : {}),
      id: change.id,
      op: change.op,
    };
    const live = existing !== null && !(existing instanceof PolicyEntity && existing.deletedAt !== null);
    if (change.op === 'delete') {
      if (!live) return undefined;
      return change.kind === 'policy'
        ? { ...base, result: 'deleted', version: existing.version + 1 }
        : { ...base, result: 'deleted' };
    }
    if (!live) return { ...base, result: 'created', version: (existing?.version ?? 0) + 1 };
    return this.unchanged(change, existing)
      ? { ...base, result: 'unchanged', version: existing.version }
      : { ...base, result: 'updated', version: existing.version + 1 };
  }

  private unchanged(change: Change & { op: 'put' }, existing: NonNullable<Existing>): boolean {
    switch (change.kind) {
      case 'policy': {
        const stored = existing as PolicyEntity;
        const { policy, format } = change.parsed;
        return stored.format === format && same(stored.document, exportPolicy(policy, format));
      }
      case 'principal': {
        const { type, roles, groups, attributes } = existing as PrincipalEntity;
        return same({ type, roles, groups, attributes }, principalContent(change.principal));
      }
      case 'resource':
        return same((existing as ResourceEntity).properties, change.properties);
    }
  }

  /** Writes one change through its own service's write step, at the set's revision. */
  private async write(
    tx: PolicyTransaction,
    p: Planned,
    context: ChangeContext,
    revision: number,
  ): Promise<void> {
    const { change } = p;
    switch (change.kind) {
      case 'policy': {
        const existing = p.existing as PolicyEntity | null;
        const next = change.op === 'put' ? change.parsed : null;
        const kind = p.outcome.result === 'created' ? 'created' : change.op === 'put' ? 'updated' : 'deleted';
        await this.policies.write(tx, change.id, existing, next, kind, context, revision);
        return;
      }
      case 'principal':
        if (change.op === 'put') {
          const existing = p.existing as PrincipalEntity | null;
          await this.principals.write(tx, change.id, existing, change.principal, context, revision);
        } else {
          await this.principals.remove(tx, change.id, context, revision);
        }
        return;
      case 'resource':
        if (change.op === 'put') {
          const existing = p.existing as ResourceEntity | null;
          await this.resources.write(
            tx,
            change.type,
            change.id,
            existing,
            change.properties,
            context,
            revision,
          );
        } else {
          await this.resources.remove(tx, change.type, change.id, context, revision);
        }
        return;
    }
  }
}
