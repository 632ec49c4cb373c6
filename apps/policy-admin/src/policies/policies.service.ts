import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@zt/auth';
import { APP_CONFIG, AppConfig } from '@zt/config';
import {
  createCloudEvent,
  EventSources,
  EventTypes,
  PolicyChangeData,
  PolicyChangeKind,
  PolicyDocumentFormat,
  PolicySnapshot,
  PolicySnapshotSource,
  Topics,
} from '@zt/contracts';
import { ProblemError, validationProblem } from '@zt/http';
import { CanonicalPolicy, exportPolicy, parsePolicy, PolicyFormat } from '@zt/policy-engine';
import { OutboxRelay } from '../outbox/outbox.relay';
import { changedPointers } from './document-diff';
import { toDirectoryPrincipal } from '../principals/principals.service';
import { newPolicyId } from './policy-id';
import { PolicyEntity, PolicyVersionEntity } from './policy.entity';
import { PoliciesRepository, PolicyTransaction } from './policies.repository';

/** A stored policy as the API shows it: the document in its own shape, plus its version and revision. */
export interface StoredPolicy {
  id: string;
  version: number;
  revision: number;
  format: PolicyDocumentFormat;
  document: Record<string, unknown>;
}

/** One entry of a policy's history: who changed what, when and why. */
export interface PolicyVersionView {
  version: number;
  change: string;
  revision: number;
  actor: string;
  reason: string | null;
  createdAt: string;
  /** JSON pointers of the members this version changed compared with the one before. */
  changed: string[];
}

/** Who makes a change and why; travels into the version history and the change event. */
export interface ChangeContext {
  actor: Principal;
  reason?: string;
  correlationId?: string;
}

const EVENT_TYPE: Record<PolicyChangeKind, string> = {
  created: EventTypes.policyCreated,
  updated: EventTypes.policyUpdated,
  deleted: EventTypes.policyDeleted,
  restored: EventTypes.policyUpdated,
  rolled_back: EventTypes.policyUpdated,
};

function stored(entity: PolicyEntity): StoredPolicy {
  const { id, version, revision, format, document } = entity;
  return { id, version, revision, format, document };
}

function notFound(id: string): ProblemError {
  return new ProblemError(404, 'POLICY_NOT_FOUND', `No active policy has the id ${id}.`);
}

/** Validates a document of any shape; the API answers 400 with a pointer per problem. */
function parseOrThrow(body: unknown, defaultId: string): { policy: CanonicalPolicy; format: PolicyFormat } {
  const parsed = parsePolicy(body, { defaultId });
  if (!parsed.ok)
    throw validationProblem(parsed.errors.map((e) => ({ pointer: e.pointer, detail: e.message })));
  return parsed;
}

/** Policy administration rules: validation, versioning and the change events they cause. */
@Injectable()
export class PoliciesService implements PolicySnapshotSource {
  constructor(
    private readonly repository: PoliciesRepository,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Stores a new policy (version 1), or re-creates a deleted id as its next version. */
  async create(body: unknown, context: ChangeContext): Promise<StoredPolicy> {
    const { policy, format } = parseOrThrow(body, newPolicyId());
    return this.change(policy.id, 'created', context, (existing) => {
      if (existing && existing.deletedAt === null) {
        throw new ProblemError(409, 'CONFLICT', `A policy with the id ${policy.id} already exists.`);
      }
      return { policy, format };
    });
  }

  /** Replaces a policy with a new version; `ifMatch` (the ETag's version) guards lost updates. */
  async update(
    id: string,
    body: unknown,
    ifMatch: number | undefined,
    context: ChangeContext,
  ): Promise<StoredPolicy> {
    const { policy, format } = parseOrThrow(body, id);
    if (policy.id !== id) {
      const pointer = format === 'nist' ? '/policyId' : '/id';
      throw validationProblem([{ pointer, detail: `must be ${id}, the id in the path` }]);
    }
    return this.change(id, 'updated', context, (existing) => {
      if (!existing || existing.deletedAt !== null) throw notFound(id);
      if (ifMatch !== undefined && ifMatch !== existing.version) {
        throw new ProblemError(
          412,
          'PRECONDITION_FAILED',
          `The policy is at version ${existing.version}, not ${ifMatch}.`,
          {
            currentVersion: existing.version,
          },
        );
      }
      return { policy, format };
    });
  }

  /** Makes a new version equal to an old one; history is never rewritten. */
  async rollback(id: string, version: unknown, context: ChangeContext): Promise<StoredPolicy> {
    if (!Number.isSafeInteger(version) || (version as number) < 1) {
      throw validationProblem([{ pointer: '/version', detail: 'must be a version number (1 or more)' }]);
    }
    return this.change(id, 'rolled_back', context, async (existing, tx) => {
      if (!existing || existing.deletedAt !== null) throw notFound(id);
      const target = await tx.findVersion(id, version as number);
      if (!target?.document) {
        throw new ProblemError(
          404,
          'NOT_FOUND',
          `Policy ${id} has no version ${String(version)} with a document.`,
        );
      }
      return parseOrThrow(target.document, id);
    });
  }

  /** Undoes a delete within the restore window (the seed's 30 minutes); afterwards 410. */
  async restore(id: string, context: ChangeContext): Promise<StoredPolicy> {
    return this.change(id, 'restored', context, async (existing, tx) => {
      if (!existing) throw notFound(id);
      if (existing.deletedAt === null)
        throw new ProblemError(409, 'CONFLICT', `Policy ${id} is not deleted.`);
      const windowMs = this.config.POLICY_RESTORE_WINDOW_SECONDS * 1000;
      if (Date.now() - existing.deletedAt.getTime() > windowMs) {
        throw new ProblemError(
          410,
          'GONE',
          `Policy ${id} was deleted more than ${windowMs / 60_000} minutes ago.`,
        );
      }
      const last = await tx.latestWithDocument(id);
      if (!last?.document) throw notFound(id);
      return parseOrThrow(last.document, id);
    });
  }

  /** Soft-deletes a policy: its history stays, and decision replicas drop it. */
  async delete(id: string, context: ChangeContext): Promise<StoredPolicy> {
    return this.change(id, 'deleted', context, (existing) => {
      if (!existing || existing.deletedAt !== null) throw notFound(id);
      return null;
    });
  }

  async get(id: string): Promise<StoredPolicy> {
    const entity = await this.repository.findActive(id);
    if (!entity) throw notFound(id);
    return stored(entity);
  }

  async list(): Promise<StoredPolicy[]> {
    return (await this.repository.listActive()).map(stored);
  }

  /** The history of a policy, deleted ones included, each version with what it changed. */
  async versions(id: string): Promise<PolicyVersionView[]> {
    const rows = await this.repository.listVersions(id);
    if (rows.length === 0) throw notFound(id);
    return rows.map((row, i) => ({
      version: row.version,
      change: row.change,
      revision: row.revision,
      actor: row.actor,
      reason: row.reason,
      createdAt: row.createdAt.toISOString(),
      changed: changedPointers(i > 0 ? rows[i - 1].document : null, row.document),
    }));
  }

  /** One version's document. */
  async version(id: string, version: number): Promise<PolicyVersionEntity> {
    const row = Number.isSafeInteger(version) ? await this.repository.findVersion(id, version) : null;
    if (!row) throw new ProblemError(404, 'NOT_FOUND', `Policy ${id} has no version ${version}.`);
    return row;
  }

  /** The active set at one revision, for decision replicas that start up. */
  async snapshot(): Promise<PolicySnapshot> {
    const { revision, policies, principals } = await this.repository.snapshot();
    return {
      revision,
      policies: policies.map((p) => ({
        policyId: p.id,
        version: p.version,
        revision: p.revision,
        format: p.format,
        document: p.document,
      })),
      principals: principals.map((p) => ({
        principalId: p.id,
        revision: p.revision,
        principal: toDirectoryPrincipal(p),
      })),
    };
  }

  /**
   * The one way a policy changes: lock the row, let `decide` check preconditions and choose the
   * new content (null deletes), then write the policy, its version and its event together.
   */
  private async change(
    id: string,
    kind: PolicyChangeKind,
    context: ChangeContext,
    decide: (
      existing: PolicyEntity | null,
      tx: PolicyTransaction,
    ) =>
      | Promise<{ policy: CanonicalPolicy; format: PolicyFormat } | null>
      | { policy: CanonicalPolicy; format: PolicyFormat }
      | null,
  ): Promise<StoredPolicy> {
    const result = await this.repository.inTransaction(async (tx) => {
      const existing = await tx.findForUpdate(id);
      const next = await decide(existing, tx);
      const now = new Date();
      const entity = existing ?? Object.assign(new PolicyEntity(), { id, createdAt: now, deletedAt: null });
      entity.version = existing ? existing.version + 1 : 1;
      entity.revision = await tx.nextRevision();
      entity.updatedAt = now;
      if (next) {
        Object.assign(entity, {
          name: next.policy.name,
          format: next.format,
          document: exportPolicy(next.policy, next.format),
          effect: next.policy.effect,
          enforcementMode: next.policy.enforcementMode,
          deletedAt: null,
        });
      } else {
        entity.deletedAt = now;
      }
      await this.record(tx, entity, kind, context);
      return stored(entity);
    });
    this.relay.kick();
    return result;
  }

  /** Appends the version row and the outbox event in the caller's transaction. */
  private async record(
    tx: PolicyTransaction,
    entity: PolicyEntity,
    change: PolicyChangeKind,
    context: ChangeContext,
  ): Promise<void> {
    const deleted = entity.deletedAt !== null;
    await tx.savePolicy(entity);
    await tx.appendVersion({
      policyId: entity.id,
      version: entity.version,
      change,
      format: entity.format,
      document: deleted ? null : entity.document,
      revision: entity.revision,
      actor: context.actor.sub,
      reason: context.reason ?? null,
      createdAt: entity.updatedAt,
    });
    const data: PolicyChangeData = {
      policyId: entity.id,
      change,
      version: entity.version,
      revision: entity.revision,
      format: entity.format,
      document: deleted ? null : entity.document,
      actor: { sub: context.actor.sub, roles: context.actor.roles },
      ...(context.reason ? { reason: context.reason } : {}),
    };
    const event = createCloudEvent({
      source: EventSources.policyAdmin,
      type: EVENT_TYPE[change],
      subject: entity.id,
      data,
      correlationId: context.correlationId,
    });
    await tx.enqueue({ topic: Topics.policyChanges, key: entity.id, event: { ...event } });
  }
}
