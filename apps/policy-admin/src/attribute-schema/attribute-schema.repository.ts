import { Injectable } from '@nestjs/common';
import { insertable } from '@zt/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { AttributeSchemaVersionEntity } from './attribute-schema.entity';

/**
 * Serializes schema changes with policy writes: a schema change holds the revision row (as every
 * policy write does when it takes its revision) while it checks the stored policies.
 */
const LOCK_REVISION = `SELECT value FROM policy_admin.revision WHERE id = 1 FOR UPDATE`;

/** Reads and writes of the attribute schema's versions; no business rules here. */
@Injectable()
export class AttributeSchemaRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The newest version, or null when no schema was ever stored. */
  current(manager: EntityManager = this.dataSource.manager): Promise<AttributeSchemaVersionEntity | null> {
    return manager
      .getRepository(AttributeSchemaVersionEntity)
      .createQueryBuilder('s')
      .orderBy('s.version', 'DESC')
      .limit(1)
      .getOne();
  }

  /** Every version, newest first (bounded: a schema changes rarely). */
  history(limit: number): Promise<AttributeSchemaVersionEntity[]> {
    return this.dataSource
      .getRepository(AttributeSchemaVersionEntity)
      .find({ order: { version: 'DESC' }, take: limit });
  }

  /**
   * Runs `work` in one transaction that holds the revision row: no policy write commits between
   * the checks `work` makes and the version it appends.
   */
  inLockedTransaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(LOCK_REVISION);
      return work(manager);
    });
  }

  async append(manager: EntityManager, version: AttributeSchemaVersionEntity): Promise<void> {
    await manager.insert(AttributeSchemaVersionEntity, insertable(version));
  }

  /** Every active policy's document and shape, read in the caller's transaction. */
  activePolicies(
    manager: EntityManager,
  ): Promise<{ id: string; format: string; document: Record<string, unknown> }[]> {
    return manager.query(
      `SELECT id, format, document FROM policy_admin.policies WHERE deleted_at IS NULL ORDER BY id`,
    );
  }
}
