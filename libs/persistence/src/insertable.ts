import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

/**
 * TypeORM's insert type recurses into jsonb columns and cannot accept `unknown` members, which is
 * what a JSON document honestly is. Entities are complete objects here, so the cast is sound.
 */
export function insertable<T>(entity: T): QueryDeepPartialEntity<T> {
  return entity as QueryDeepPartialEntity<T>;
}
