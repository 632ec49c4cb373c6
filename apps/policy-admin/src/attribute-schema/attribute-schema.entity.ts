import type { AttributeSchema } from '@zt/policy-engine';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One version of the attribute schema, with who wrote it and why; rows are never changed. */
@Entity({ schema: 'policy_admin', name: 'attribute_schema_versions' })
export class AttributeSchemaVersionEntity {
  @PrimaryColumn('integer')
  version!: number;

  @Column('jsonb')
  schema!: AttributeSchema;

  @Column('text')
  actor!: string;

  @Column('text', { nullable: true })
  reason!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
