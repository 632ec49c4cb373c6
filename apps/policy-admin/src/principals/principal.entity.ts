import { BIGINT_AS_NUMBER } from '@zt/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { DirectoryPrincipal } from '@zt/contracts';

/** A principal of the directory the decision service consults for roles, groups and attributes. */
@Entity({ schema: 'policy_admin', name: 'principals' })
export class PrincipalEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text')
  type!: DirectoryPrincipal['type'];

  @Column('jsonb')
  roles!: string[];

  @Column('jsonb')
  groups!: string[];

  @Column('jsonb')
  attributes!: Record<string, unknown>;

  @Column('integer')
  version!: number;

  @Column('bigint', { transformer: BIGINT_AS_NUMBER })
  revision!: number;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;
}
