import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@zt/auth';
import { APP_CONFIG, AppConfig } from '@zt/config';
import {
  changedPointers,
  ChangeSetMarker,
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
import {
  CanonicalPolicy,
  exportPolicy,
  parsePolicy,
  PolicyExportError,
  PolicyFormat,
  subjectKey,
} from '@zt/policy-engine';
import { AttributeSchemaService } from '../attribute-schema/attribute-schema.service';
import { PolicyAdminOutboxRelay } from '../outbox/outbox.relay';
import { pageOf, pageRequestOf } from '../paging/page';
import { toDirectoryPrincipal } from '../principals/principals.service';
import { toDirectoryResource } from '../resources/resource-view';
import { newPolicyId } from './policy-id';
import { MAX_VERSION, PolicyEntity, PolicyVersionEntity } from './policy.entity';
import { PoliciesRepository, PolicyFilter, PolicyTransaction } from './policies.repository';

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
  /** Set when the change is one of an atomic change set: travels in its event. */
  changeset?: ChangeSetMarker;
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

const FORMATS: PolicyFormat[] = ['zt', 'nist', 'ztna'];

/** Query parameters of the policy list, as received. */
export interface PolicyListQuery {
  subject?: string;
  resource?: string;
  effect?: string;
  enforcementMode?: string;
  cursor?: string;
  limit?: string;
}

/** Checks the list's query parameters, with a pointer per bad one. */
function policyFilterOf(query: PolicyListQuery): PolicyFilter {
  const errors: { pointer: string; detail: string }[] = [];
  // The cursor's key is a policy id.
  const { limit, after } = pageRequestOf(query, errors);
  if (query.effect !== undefined && !['allow', 'deny', 'require_mfa', 'isolate'].includes(query.effect)) {
    errors.push({ pointer: '/effect', detail: 'must be allow, deny, require_mfa or isolate' });
  }
  if (
    query.enforcementMode !== undefined &&
    !['enforce', 'audit', 'disabled'].includes(query.enforcementMode)
  ) {
    errors.push({ pointer: '/enforcementMode', detail: 'must be enforce, audit or disabled' });
  }
  for (const name of ['subject', 'resource'] as const) {
    if ((query[name]?.length ?? 0) > 512) errors.push({ pointer: `/${name}`, detail: 'is too long' });
  }
  if (errors.length > 0) throw validationProblem(errors, 'Invalid query parameters.');
  return {
    subject: query.subject,
    resource: query.resource,
    effect: query.effect,
    enforcementMode: query.enforcementMode,
    after,
    limit,
  };
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
    private readonly relay: PolicyAdminOutboxRelay,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly attributeSchema: AttributeSchemaService,
  ) {}

  /** Stores a new policy (version 1), or re-creates a deleted id as its next version. */
  async create(body: unknown, context: ChangeContext): Promise<StoredPolicy> {
    const { policy, format } = parseOrThrow(body, newPolicyId());
    await this.attributeSchema.assertTyped(policy);
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
    await this.attributeSchema.assertTyped(policy);
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
    // Versions are a PostgreSQL integer: a larger number can name no version.
    if (!Number.isSafeInteger(version) || (version as number) < 1 || (version as number) > MAX_VERSION) {
      throw validationProblem([
        { pointer: '/version', detail: `must be a version number from 1 to ${MAX_VERSION}` },
      ]);
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

  /** A page of active policies and the cursor of the next page (absent on the last page). */
  async list(query: PolicyListQuery): Promise<{ policies: StoredPolicy[]; nextCursor?: string }> {
    const filter = policyFilterOf(query);
    const rows = await this.repository.listActive({ ...filter, limit: filter.limit + 1 });
    const { items, nextCursor } = pageOf(rows, filter.limit, (row) => row.id);
    return { policies: items.map(stored), ...(nextCursor ? { nextCursor } : {}) };
  }

  /**
   * Validates a document to be stored under `id` exactly as create and update do (shape, then
   * the attribute schema's types); throws 400 with pointers into the document.
   */
  async parseForWrite(body: unknown, id: string): Promise<{ policy: CanonicalPolicy; format: PolicyFormat }> {
    const parsed = parseOrThrow(body, id);
    await this.attributeSchema.assertTyped(parsed.policy);
    return parsed;
  }

  /** Validates a document without storing it and returns it in the requested shape. */
  async validate(
    body: unknown,
    format: string | undefined,
  ): Promise<{ valid: true; format: PolicyFormat; policy: Record<string, unknown> }> {
    if (format !== undefined && !FORMATS.includes(format as PolicyFormat)) {
      throw validationProblem(
        [{ pointer: '/format', detail: `must be one of ${FORMATS.join(', ')}` }],
        'Invalid query parameters.',
      );
    }
    const parsed = parseOrThrow(body, 'pol_validation');
    await this.attributeSchema.assertTyped(parsed.policy);
    const target = (format as PolicyFormat | undefined) ?? parsed.format;
    try {
      return { valid: true, format: parsed.format, policy: exportPolicy(parsed.policy, target) };
    } catch (error) {
      if (!(error instanceof PolicyExportError)) throw error;
      throw validationProblem(
        [{ pointer: '', detail: error.message }],
        `The policy cannot be expressed in the ${target} shape.`,
      );
    }
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
    const { revision, policies, principals, resources } = await this.repository.snapshot();
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
      resources: resources.map((r) => ({
        resourceType: r.type,
        resourceId: r.id,
        revision: r.revision,
        resource: toDirectoryResource(r),
      })),
    };
  }

  /**
   * The same snapshot as JSON text, for the HTTP endpoint: PostgreSQL writes each record, so a
   * large set is not turned into objects only to be serialized again.
   */
  async snapshotJson(): Promise<string> {
    const { revision, policies, principals, resources } = await this.repository.snapshotRecords();
    return `{"revision":${revision},"policies":[${policies.join(',')}],"principals":[${principals.join(',')}],"resources":[${resources.join(',')}]}`;
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
      return this.write(tx, id, existing, next, kind, context, await tx.nextRevision());
    });
    this.relay.kick();
    return result;
  }

  /**
   * Writes one policy change at `revision` in the caller's transaction, which holds the row lock
   * of `existing` (from findForUpdate): the new version, its history row and its event.
   */
  async write(
    tx: PolicyTransaction,
    id: string,
    existing: PolicyEntity | null,
    next: { policy: CanonicalPolicy; format: PolicyFormat } | null,
    kind: PolicyChangeKind,
    context: ChangeContext,
    revision: number,
  ): Promise<StoredPolicy> {
    if (next) await this.assertTypedAtCommit(tx, next.policy, kind);
    const now = new Date();
    const entity = existing ?? Object.assign(new PolicyEntity(), { id, createdAt: now, deletedAt: null });
    entity.version = existing ? existing.version + 1 : 1;
    entity.revision = revision;
    entity.updatedAt = now;
    if (next) {
      Object.assign(entity, {
        name: next.policy.name,
        format: next.format,
        document: exportPolicy(next.policy, next.format),
        effect: next.policy.effect,
        enforcementMode: next.policy.enforcementMode,
        subjectKeys: next.policy.subjects.map(subjectKey),
        resourcePatterns: next.policy.resources.map((r) => r.pattern),
        deletedAt: null,
      });
    } else {
      entity.deletedAt = now;
    }
    await this.record(tx, entity, kind, context);
    return stored(entity);
  }

  /**
   * The type check that holds at commit: read in the write's transaction, which holds the revision
   * lock an attribute schema change takes too, so a schema stored between the request's own check
   * and this write is the one the policy is checked with. A rollback or restore, whose document is
   * an old version, is refused with 409: the request was fine, the old version no longer is.
   */
  private async assertTypedAtCommit(
    tx: PolicyTransaction,
    policy: CanonicalPolicy,
    kind: PolicyChangeKind,
  ): Promise<void> {
    try {
      await this.attributeSchema.assertTyped(policy, tx.manager);
    } catch (error) {
      if (!(error instanceof ProblemError) || (kind !== 'rolled_back' && kind !== 'restored')) throw error;
      throw new ProblemError(
        409,
        'CONFLICT',
        `That version of policy ${policy.id} does not type-check against the current attribute schema; change the schema or write a new version.`,
        { errors: error.extra.errors },
      );
    }
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
      ...(context.changeset ? { changeset: context.changeset } : {}),
    };
    const event = createCloudEvent({
      source: EventSources.policyAdmin,
      type: EVENT_TYPE[change],
      subject: entity.id,
      data,
      correlationId: context.correlationId,
    });
    await tx.enqueue({ topic: Topics.policyChanges, key: entity.id, event });
  }
}
