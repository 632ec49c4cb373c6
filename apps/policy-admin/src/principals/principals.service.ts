import { Injectable } from '@nestjs/common';
import {
  createCloudEvent,
  DirectoryPrincipal,
  EventSources,
  EventTypes,
  PRINCIPAL_ID_SCHEMA,
  principalBodyErrors,
  PrincipalChangeData,
  principalKey,
  Topics,
} from '@zt/contracts';
import { FieldError, ProblemError, validationProblem } from '@zt/http';
import { boundsIssues } from '@zt/policy-engine';
import { DirectoryListingRepository } from '../directory/directory-listing.repository';
import { principalListFilterOf } from '../directory/directory-query';
import { PolicyAdminOutboxRelay } from '../outbox/outbox.relay';
import { Page, pageOf } from '../paging/page';
import { PoliciesRepository, PolicyTransaction } from '../policies/policies.repository';
import type { ChangeContext } from '../policies/policies.service';
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

const ID = new RegExp(PRINCIPAL_ID_SCHEMA.pattern);

/** Problems of a principal body (schema, then the attributes' bounds), each with its pointer. */
export function principalInputErrors(body: unknown): FieldError[] {
  const errors = principalBodyErrors(body);
  const input = (body ?? {}) as Partial<DirectoryPrincipal>;
  errors.push(
    ...boundsIssues(input.attributes ?? {}, '/attributes').map((i) => ({
      pointer: i.pointer,
      detail: i.message,
    })),
  );
  return errors;
}

/** What a valid body stores, defaults filled in. */
export function principalContent(input: Partial<DirectoryPrincipal>): Omit<DirectoryPrincipal, 'id'> {
  return {
    type: input.type ?? 'user',
    roles: input.roles ?? [],
    groups: input.groups ?? [],
    attributes: input.attributes ?? {},
  };
}

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
    private readonly listing: DirectoryListingRepository,
  ) {}

  /** A page of principals in id order, narrowed by the query's filters. */
  async list(query: Record<string, unknown>): Promise<Page<StoredPrincipal>> {
    const filter = principalListFilterOf(query);
    const rows = await this.listing.listPrincipals({ ...filter, limit: filter.limit + 1 });
    const page = pageOf(rows, filter.limit, (row) => row.id);
    return { ...page, items: page.items.map(stored) };
  }

  /** Creates or replaces a principal. */
  async put(id: string, body: unknown, context: ChangeContext): Promise<StoredPrincipal> {
    if (!ID.test(id))
      throw validationProblem([
        { pointer: '/id', detail: 'must be 1 to 256 characters without spaces or slashes' },
      ]);
    const errors = principalInputErrors(body);
    if (errors.length > 0) throw validationProblem(errors);
    const input = (body ?? {}) as Partial<DirectoryPrincipal>;
    const result = await this.repository.inTransaction(async (tx) => {
      const existing = await tx.findPrincipalForUpdate(id);
      return this.write(tx, id, existing, input, context, await tx.nextRevision());
    });
    this.relay.kick();
    return result;
  }

  /** Writes a principal at `revision` in the caller's transaction, which locked `existing`. */
  async write(
    tx: PolicyTransaction,
    id: string,
    existing: PrincipalEntity | null,
    input: Partial<DirectoryPrincipal>,
    context: ChangeContext,
    revision: number,
  ): Promise<StoredPrincipal> {
    const entity = Object.assign(existing ?? new PrincipalEntity(), {
      id,
      ...principalContent(input),
      version: (existing?.version ?? 0) + 1,
      revision,
      updatedAt: new Date(),
    });
    await tx.savePrincipal(entity);
    await tx.history.principal(id, revision, toDirectoryPrincipal(entity));
    await tx.enqueue(this.event(id, entity.revision, toDirectoryPrincipal(entity), context));
    return stored(entity);
  }

  /** Removes a principal at `revision` in the caller's transaction, which locked it. */
  async remove(tx: PolicyTransaction, id: string, context: ChangeContext, revision: number): Promise<void> {
    await tx.deletePrincipal(id);
    await tx.history.principal(id, revision, null);
    await tx.enqueue(this.event(id, revision, null, context));
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
      const next = await tx.nextRevision();
      await this.remove(tx, id, context, next);
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
      ...(context.changeset ? { changeset: context.changeset } : {}),
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
