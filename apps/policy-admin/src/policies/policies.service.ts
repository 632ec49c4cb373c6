import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@zt/auth';
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
import { exportPolicy, parsePolicy } from '@zt/policy-engine';
import { OutboxRelay } from '../outbox/outbox.relay';
import { newPolicyId } from './policy-id';
import { PolicyEntity } from './policy.entity';
import { PoliciesRepository, PolicyTransaction } from './policies.repository';

/** A stored policy as the API shows it: the document in its own shape, plus its version and revision. */
export interface StoredPolicy {
  id: string;
  version: number;
  revision: number;
  format: PolicyDocumentFormat;
  document: Record<string, unknown>;
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

/** Policy administration rules: validation, versioning and the change events they cause. */
@Injectable()
export class PoliciesService implements PolicySnapshotSource {
  constructor(
    private readonly repository: PoliciesRepository,
    @Inject(OutboxRelay) private readonly relay: OutboxRelay,
  ) {}

  /** Validates a document of any accepted shape and stores it as version 1 of a new policy. */
  async create(body: unknown, actor: Principal, correlationId?: string): Promise<StoredPolicy> {
    const parsed = parsePolicy(body, { defaultId: newPolicyId(), version: 1 });
    if (!parsed.ok)
      throw validationProblem(parsed.errors.map((e) => ({ pointer: e.pointer, detail: e.message })));
    const { policy, format } = parsed;
    const document = exportPolicy(policy, format);
    const result = await this.repository.inTransaction(async (tx) => {
      const existing = await tx.findForUpdate(policy.id);
      if (existing && existing.deletedAt === null) {
        throw new ProblemError(409, 'CONFLICT', `A policy with the id ${policy.id} already exists.`);
      }
      const now = new Date();
      const entity = Object.assign(existing ?? new PolicyEntity(), {
        id: policy.id,
        name: policy.name,
        version: existing ? existing.version + 1 : 1,
        format,
        document,
        effect: policy.effect,
        enforcementMode: policy.enforcementMode,
        revision: await tx.nextRevision(),
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
        deletedAt: null,
      });
      await this.record(tx, entity, 'created', actor, correlationId);
      return stored(entity);
    });
    this.relay.kick();
    return result;
  }

  /** Soft-deletes a policy: its history stays, and decision replicas drop it. */
  async delete(id: string, actor: Principal, correlationId?: string): Promise<StoredPolicy> {
    const result = await this.repository.inTransaction(async (tx) => {
      const entity = await tx.findForUpdate(id);
      if (!entity || entity.deletedAt !== null) throw notFound(id);
      const now = new Date();
      Object.assign(entity, {
        version: entity.version + 1,
        revision: await tx.nextRevision(),
        updatedAt: now,
      });
      entity.deletedAt = now;
      await this.record(tx, entity, 'deleted', actor, correlationId);
      return stored(entity);
    });
    this.relay.kick();
    return result;
  }

  async get(id: string): Promise<StoredPolicy> {
    const entity = await this.repository.findActive(id);
    if (!entity) throw notFound(id);
    return stored(entity);
  }

  async list(): Promise<StoredPolicy[]> {
    return (await this.repository.listActive()).map(stored);
  }

  /** The active set at one revision, for decision replicas that start up. */
  async snapshot(): Promise<PolicySnapshot> {
    const { revision, policies } = await this.repository.snapshot();
    return {
      revision,
      policies: policies.map((p) => ({
        policyId: p.id,
        version: p.version,
        revision: p.revision,
        format: p.format,
        document: p.document,
      })),
    };
  }

  /** Appends the version row and the outbox event in the caller's transaction. */
  private async record(
    tx: PolicyTransaction,
    entity: PolicyEntity,
    change: PolicyChangeKind,
    actor: Principal,
    correlationId?: string,
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
      actor: actor.sub,
      reason: null,
      createdAt: entity.updatedAt,
    });
    const data: PolicyChangeData = {
      policyId: entity.id,
      change,
      version: entity.version,
      revision: entity.revision,
      format: entity.format,
      document: deleted ? null : entity.document,
      actor: { sub: actor.sub, roles: actor.roles },
    };
    const event = createCloudEvent({
      source: EventSources.policyAdmin,
      type: EVENT_TYPE[change],
      subject: entity.id,
      data,
      correlationId,
    });
    await tx.enqueue({ topic: Topics.policyChanges, key: entity.id, event: { ...event } });
  }
}
