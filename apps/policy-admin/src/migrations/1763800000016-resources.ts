import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The resource directory, and indexes for the directory listings: principals filtered by role or
 * group use the GIN indexes (`@>`), resources are listed in primary-key order within a type.
 */
export class Resources1763800000016 implements MigrationInterface {
  name = 'Resources1763800000016';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE policy_admin.resources (
        type text NOT NULL,
        id text NOT NULL,
        properties jsonb NOT NULL,
        version integer NOT NULL,
        revision bigint NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (type, id)
      )`);
    await q.query(`CREATE INDEX principals_roles ON policy_admin.principals USING gin (roles)`);
    await q.query(`CREATE INDEX principals_groups ON policy_admin.principals USING gin (groups)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX policy_admin.principals_groups`);
    await q.query(`DROP INDEX policy_admin.principals_roles`);
    await q.query(`DROP TABLE policy_admin.resources`);
  }
}
