import { BIGINT_AS_NUMBER } from '@zt/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PolicyDocumentFormat } from '@zt/contracts';

/** The largest version a policy can reach: versions are a PostgreSQL `integer`. */
export const MAX_VERSION = 2_147_483_647;

/** The current version of a policy; deleted ones keep their row with `deletedAt` set. */
@Entity({ schema: 'policy_admin', name: 'policies' })
export class PolicyEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text')
  name!: string;

  @Column('integer')
  version!: number;

  @Column('text')
  format!: PolicyDocumentFormat;

  @Column('jsonb')
  document!: Record<string, unknown>;

  @Column('text')
  effect!: string;

  @Column('text', { name: 'enforcement_mode' })
  enforcementMode!: string;

  /** `group:x`, `user:y`, `*`...: the subjects, in the API shape's words, for filtering. */
  @Column('jsonb', { name: 'subject_keys' })
  subjectKeys!: string[];

  /** The resource globs, for filtering. */
  @Column('jsonb', { name: 'resource_patterns' })
  resourcePatterns!: string[];

  @Column('bigint', {
    name: 'revision',
    transformer: BIGINT_AS_NUMBER,
  })
  revision!: number;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'deleted_at', nullable: true })
  deletedAt!: Date | null;
}

/** One immutable version of a policy: history is appended, never rewritten. */
@Entity({ schema: 'policy_admin', name: 'policy_versions' })
export class PolicyVersionEntity {
  @PrimaryColumn('text', { name: 'policy_id' })
  policyId!: string;

  @PrimaryColumn('integer')
  version!: number;

  @Column('text')
  change!: string;

  @Column('text')
  format!: PolicyDocumentFormat;

  @Column('jsonb', { nullable: true })
  document!: Record<string, unknown> | null;

  @Column('bigint', { transformer: BIGINT_AS_NUMBER })
  revision!: number;

  @Column('text')
  actor!: string;

  @Column('text', { nullable: true })
  reason!: string | null;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;
}
