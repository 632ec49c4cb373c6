import { Injectable } from '@nestjs/common';
import {
  createCloudEvent,
  DirectoryPrincipal,
  EventSources,
  EventTypes,
  PrincipalChangeData,
  principalKey,
  Topics,
} from '@zt/contracts';
import { ProblemError, validationProblem } from '@zt/http';
import { boundsIssues } from '@zt/policy-engine';
import { PolicyAdminOutboxRelay } from '../outbox/outbox.relay';
import { PoliciesRepository } from '../policies/policies.repository';
import type { ChangeContext } from '../policies/policies.service';
import { principalBodyErrors } from './principal-body.schema';
import { PrincipalEntity } from './principal.entity';

/** A stored principal as the API shows it. */
export type StoredPrincipal = DirectoryPrincipal & { version: number; revision: number };

/** The directory view of a stored principal. */
export function toDirectoryPrincipal(entity: PrincipalEntity): DirectoryPrincipal {
  const { id, type, roles, groups, attributes } = entity;
  return { id, type, roles, groups, attributes };
}

function stored(entity: PrincipalEntity): StoredPrincipal {
  return { ...toDirectoryPrincipal(entity), version: entity.version, revision: entity.revision };
}

const ID = /^[^\s/]{1,256}$/;

/**
 * The principal directory: roles, groups and attributes the decision service adds to a request's
 * subject. Changes share the policies' revision counter and topic, so a decision replica that
 * reached revision r has every policy AND directory change up to r.
 */
@Injectable()
export class PrincipalsService {
  constructor(
    private readonly repository: PoliciesRepository,
    private readonly relay: PolicyAdminOutboxRelay,
  ) {}

  /** Creates or replaces a principal. */
  async put(id: string, body: unknown, context: ChangeContext): Promise<StoredPrincipal> {
    if (!ID.test(id))
      throw validationProblem([
        { pointer: '/id', detail: 'must be 1 to 256 characters without spaces or slashes' },
      ]);
    const errors = principalBodyErrors(body);
    const input = (body ?? {}) as Partial<DirectoryPrincipal>;
    errors.push(
      ...boundsIssues(input.attributes ?? {}, '/attributes').map((i) => ({
        pointer: i.pointer,
        detail: i.message,
      })),
    );
    if (errors.length > 0) throw validationProblem(errors);
    const result = await this.repository.inTransaction(async (tx) => {
      const existing = await tx.findPrincipalForUpdate(id);
      const entity = Object.assign(existing ?? new PrincipalEntity(), {
        id,
        type: input.type ?? 'user',
        roles: input.roles ?? [],
        groups: input.groups ?? [],
        attributes: input.attributes ?? {},
        version: (existing?.version ?? 0) + 1,
        revision: await tx.nextRevision(),
        updatedAt: new Date(),
      });
      await tx.savePrincipal(entity);
      await tx.enqueue(this.event(id, entity.revision, toDirectoryPrincipal(entity), context));
      return stored(entity);
    });
    this.relay.kick();
    return result;
  }

  async get(id: string): Promise<StoredPrincipal> {
    const entity = await this.repository.findPrincipal(id);
    if (!entity) throw new ProblemError(404, 'NOT_FOUND', `No principal has the id ${id}.`);
    return stored(entity);
  }

  /** Removes a principal from the directory; decision replicas forget its roles and groups. */
  async delete(id: string, context: ChangeContext): Promise<number> {
    const revision = await this.repository.inTransaction(async (tx) => {
      const existing = await tx.findPrincipalForUpdate(id);
      if (!existing) throw new ProblemError(404, 'NOT_FOUND', `No principal has the id ${id}.`);
      await tx.deletePrincipal(id);
      const next = await tx.nextRevision();
      await tx.enqueue(this.event(id, next, null, context));
      return next;
    });
    this.relay.kick();
    return revision;
  }

  private event(id: string, revision: number, principal: DirectoryPrincipal | null, context: ChangeContext) {
    const data: PrincipalChangeData = {
      principalId: id,
      revision,
      principal,
      actor: { sub: context.actor.sub, roles: context.actor.roles },
      ...(context.reason ? { reason: context.reason } : {}),
    };
    const event = createCloudEvent({
      source: EventSources.policyAdmin,
      type: principal ? EventTypes.principalUpserted : EventTypes.principalDeleted,
      subject: id,
      data,
      correlationId: context.correlationId,
    });
    return { topic: Topics.policyChanges, key: principalKey(id), event };
  }
}
