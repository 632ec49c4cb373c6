import { Injectable } from '@nestjs/common';
import { DataSource, SelectQueryBuilder } from 'typeorm';
import { PrincipalEntity } from '../principals/principal.entity';
import { ResourceEntity } from '../resources/resource.entity';
import type { EqualityFilter, PrincipalListFilter, ResourceListFilter } from './directory-query';

/**
 * `column ->> name = value` for each filter: JSON members compared as text, so `level:3` finds
 * both 3 and "3", `active:true` finds true. Parameters are numbered, the names stay bound values.
 */
function whereMembersEqual<T extends object>(
  qb: SelectQueryBuilder<T>,
  column: string,
  filters: EqualityFilter[],
): void {
  filters.forEach((f, i) => {
    qb.andWhere(`${column} ->> (:name${i})::text = :value${i}`, {
      [`name${i}`]: f.name,
      [`value${i}`]: f.value,
    });
  });
}

/** Pages of the principal and resource directories in key order; reads only. */
@Injectable()
export class DirectoryListingRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Up to `limit` principals after `after`, in id order, narrowed by the filters. */
  listPrincipals(filter: PrincipalListFilter): Promise<PrincipalEntity[]> {
    const qb = this.dataSource
      .getRepository(PrincipalEntity)
      .createQueryBuilder('p')
      .orderBy('p.id', 'ASC')
      .limit(filter.limit);
    if (filter.after !== undefined) qb.andWhere('p.id > :after', { after: filter.after });
    if (filter.type !== undefined) qb.andWhere('p.type = :type', { type: filter.type });
    // Containment (@>) so the GIN indexes of the roles and groups columns serve these.
    if (filter.role !== undefined)
      qb.andWhere('p.roles @> jsonb_build_array(:role::text)', { role: filter.role });
    if (filter.group !== undefined)
      qb.andWhere('p.groups @> jsonb_build_array(:group::text)', { group: filter.group });
    whereMembersEqual(qb, 'p.attributes', filter.attributes);
    return qb.getMany();
  }

  /** Up to `limit` resources after `after`, in (type, id) order, narrowed by the filters. */
  listResources(filter: ResourceListFilter): Promise<ResourceEntity[]> {
    const qb = this.dataSource
      .getRepository(ResourceEntity)
      .createQueryBuilder('r')
      .orderBy('r.type', 'ASC')
      .addOrderBy('r.id', 'ASC')
      .limit(filter.limit);
    if (filter.after !== undefined) {
      qb.andWhere('(r.type, r.id) > (:afterType, :afterId)', {
        afterType: filter.after.type,
        afterId: filter.after.id,
      });
    }
    if (filter.type !== undefined) qb.andWhere('r.type = :type', { type: filter.type });
    whereMembersEqual(qb, 'r.properties', filter.properties);
    return qb.getMany();
  }
}
