import { Injectable } from '@nestjs/common';
import {
  createCloudEvent,
  DirectoryResource,
  EventSources,
  EventTypes,
  RESOURCE_ID_SCHEMA,
  RESOURCE_TYPE_SCHEMA,
  resourceBodyErrors,
  ResourceChangeData,
  resourceKey,
  Topics,
  unsafeTextProblem,
} from '@zt/contracts';
import { FieldError, ProblemError, validationProblem } from '@zt/http';
import { boundsIssues } from '@zt/policy-engine';
import { DirectoryListingRepository } from '../directory/directory-listing.repository';
import { resourceListFilterOf } from '../directory/directory-query';
import { PolicyAdminOutboxRelay } from '../outbox/outbox.relay';
import { Page, pageOf } from '../paging/page';
import { PoliciesRepository, PolicyTransaction } from '../policies/policies.repository';
import type { ChangeContext } from '../policies/policies.service';
import { ResourceEntity } from './resource.entity';
import { StoredResource, storedResource, toDirectoryResource } from './resource-view';

// The one rule of @zt/contracts: no whitespace, no slash (the key is `type/id`), bounded.
const TYPE = new RegExp(RESOURCE_TYPE_SCHEMA.pattern);
const ID = new RegExp(RESOURCE_ID_SCHEMA.pattern);
export const MAX_RESOURCE_TYPE = 128;
export const MAX_RESOURCE_ID = 256;

/** Problems of a resource type or id from a path or a query, with its pointer. */
export function resourceNameErrors(pointer: '/type' | '/id', value: string): FieldError[] {
  const max = pointer === '/type' ? MAX_RESOURCE_TYPE : MAX_RESOURCE_ID;
  if (!(pointer === '/type' ? TYPE : ID).test(value)) {
    return [{ pointer, detail: `must be 1 to ${max} characters without spaces or slashes` }];
  }
  const unsafe = unsafeTextProblem(value);
  return unsafe ? [{ pointer, detail: unsafe }] : [];
}

/** Problems of a resource body (schema, then the properties' bounds), each with its pointer. */
export function resourceInputErrors(body: unknown): FieldError[] {
  const errors = resourceBodyErrors(body);
  if (errors.length > 0) return errors;
  const properties = ((body ?? {}) as { properties?: Record<string, unknown> }).properties ?? {};
  return boundsIssues(properties, '/properties').map((i) => ({ pointer: i.pointer, detail: i.message }));
}

function notFound(type: string, id: string): ProblemError {
  return new ProblemError(404, 'NOT_FOUND', `No resource of type ${type} has the id ${id}.`);
}

function checkPath(type: string, id: string): void {
  const errors = [...resourceNameErrors('/type', type), ...resourceNameErrors('/id', id)];
  if (errors.length > 0) throw validationProblem(errors, 'Invalid path parameter.');
}

/**
 * The resource directory: properties the decision service's searches read to say which
 * resources a subject may act on. Changes share the policies' revision counter and topic, like
 * principals, so a replica at revision r has every policy and directory change up to r.
 */
@Injectable()
export class ResourcesService {
  constructor(
    private readonly repository: PoliciesRepository,
    private readonly relay: PolicyAdminOutboxRelay,
    private readonly listing: DirectoryListingRepository,
  ) {}

  /** A page of resources in (type, id) order, narrowed by the query's filters. */
  async list(query: Record<string, unknown>): Promise<Page<StoredResource>> {
    const filter = resourceListFilterOf(query);
    const rows = await this.listing.listResources({ ...filter, limit: filter.limit + 1 });
    const page = pageOf(rows, filter.limit, (row) => `${row.type}/${row.id}`);
    return { ...page, items: page.items.map(storedResource) };
  }

  /** Creates or replaces a resource. */
  async put(type: string, id: string, body: unknown, context: ChangeContext): Promise<StoredResource> {
    checkPath(type, id);
    const errors = resourceInputErrors(body);
    if (errors.length > 0) throw validationProblem(errors);
    const properties = ((body ?? {}) as { properties?: Record<string, unknown> }).properties ?? {};
    const result = await this.repository.inTransaction(async (tx) => {
      const existing = await tx.findResourceForUpdate(type, id);
      return this.write(tx, type, id, existing, properties, context, await tx.nextRevision());
    });
    this.relay.kick();
    return result;
  }

  /** Writes a resource at `revision` in the caller's transaction, which locked `existing`. */
  async write(
    tx: PolicyTransaction,
    type: string,
    id: string,
    existing: ResourceEntity | null,
    properties: Record<string, unknown>,
    context: ChangeContext,
    revision: number,
  ): Promise<StoredResource> {
    const entity = Object.assign(existing ?? new ResourceEntity(), {
      type,
      id,
      properties,
      version: (existing?.version ?? 0) + 1,
      revision,
      updatedAt: new Date(),
    });
    await tx.saveResource(entity);
    await tx.history.resource(type, id, revision, properties);
    await tx.enqueue(this.event(type, id, entity.revision, toDirectoryResource(entity), context));
    return storedResource(entity);
  }

  /** Removes a resource at `revision` in the caller's transaction, which locked it. */
  async remove(
    tx: PolicyTransaction,
    type: string,
    id: string,
    context: ChangeContext,
    revision: number,
  ): Promise<void> {
    await tx.deleteResource(type, id);
    await tx.history.resource(type, id, revision, null);
    await tx.enqueue(this.event(type, id, revision, null, context));
  }

  async get(type: string, id: string): Promise<StoredResource> {
    checkPath(type, id);
    const entity = await this.repository.findResource(type, id);
    if (!entity) throw notFound(type, id);
    return storedResource(entity);
  }

  /** Removes a resource from the directory; decision replicas forget it. */
  async delete(type: string, id: string, context: ChangeContext): Promise<number> {
    checkPath(type, id);
    const revision = await this.repository.inTransaction(async (tx) => {
      const existing = await tx.findResourceForUpdate(type, id);
      if (!existing) throw notFound(type, id);
      const next = await tx.nextRevision();
      await this.remove(tx, type, id, context, next);
      return next;
    });
    this.relay.kick();
    return revision;
  }

  private event(
    type: string,
    id: string,
    revision: number,
    resource: DirectoryResource | null,
    context: ChangeContext,
  ) {
    const data: ResourceChangeData = {
      resourceType: type,
      resourceId: id,
      revision,
      resource,
      actor: { sub: context.actor.sub, roles: context.actor.roles },
      ...(context.reason ? { reason: context.reason } : {}),
      ...(context.changeset ? { changeset: context.changeset } : {}),
    };
    const event = createCloudEvent({
      source: EventSources.policyAdmin,
      type: resource ? EventTypes.resourceUpserted : EventTypes.resourceDeleted,
      // The audit trail's subject of the change.
      subject: `${type}/${id}`,
      data,
      correlationId: context.correlationId,
    });
    return { topic: Topics.policyChanges, key: resourceKey(type, id), event };
  }
}
