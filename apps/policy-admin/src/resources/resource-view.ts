import type { DirectoryResource } from '@zt/contracts';
import type { ResourceEntity } from './resource.entity';

/** A stored resource as the API shows it. */
export type StoredResource = DirectoryResource & { version: number; revision: number };

/** The directory view of a stored resource (what decision replicas hold). */
export function toDirectoryResource(entity: ResourceEntity): DirectoryResource {
  const { type, id, properties } = entity;
  return { type, id, properties };
}

/** The API view of a stored resource. */
export function storedResource(entity: ResourceEntity): StoredResource {
  return { ...toDirectoryResource(entity), version: entity.version, revision: entity.revision };
}
