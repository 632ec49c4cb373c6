import type { DirectoryPrincipal } from '@zt/contracts';
import type { EntityManager } from 'typeorm';

/**
 * Appends the directories' history rows inside a change's transaction: one row per write of a
 * principal or resource, at the change's revision, null when it was removed. With
 * policy_versions they let policy-admin rebuild the whole state as of any revision since the
 * history began (see history.repository.ts).
 */
export class DirectoryHistoryWriter {
  constructor(private readonly manager: EntityManager) {}

  /** A principal as written at `revision`, or null when it was removed then. */
  async principal(id: string, revision: number, principal: DirectoryPrincipal | null): Promise<void> {
    await this.manager.query(
      `INSERT INTO policy_admin.principal_versions (principal_id, revision, principal) VALUES ($1, $2, $3)`,
      [id, revision, principal === null ? null : JSON.stringify(principal)],
    );
  }

  /** A resource's properties as written at `revision`, or null when it was removed then. */
  async resource(
    type: string,
    id: string,
    revision: number,
    properties: Record<string, unknown> | null,
  ): Promise<void> {
    await this.manager.query(
      `INSERT INTO policy_admin.resource_versions (type, id, revision, properties) VALUES ($1, $2, $3, $4)`,
      [type, id, revision, properties === null ? null : JSON.stringify(properties)],
    );
  }
}
