import { BIGINT_AS_NUMBER } from '@zt/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A resource of the directory: the properties (owner, department, classification…) a search
 * needs to say which resources a subject may act on.
 */
@Entity({ schema: 'policy_admin', name: 'resources' })
export class ResourceEntity {
  @PrimaryColumn('text')
  type!: string;

  @PrimaryColumn('text')
  id!: string;

  @Column('jsonb')
  properties!: Record<string, unknown>;

  @Column('integer')
  version!: number;

  @Column('bigint', { transformer: BIGINT_AS_NUMBER })
  revision!: number;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
