import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The history of the principal and resource directories, one row per write (null once deleted),
 * so the whole state can be rebuilt as of any later revision (policies already keep theirs in
 * policy_versions). The current rows are backfilled at their current revision; `history_start`
 * keeps the revision the counter stood at then: the state of an earlier revision cannot be
 * known (a principal changed or deleted before left no trace), so it is refused.
 */
export class DirectoryHistory1763800000025 implements MigrationInterface {
  name = 'DirectoryHistory1763800000025';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE policy_admin.principal_versions (
        principal_id text NOT NULL,
        revision bigint NOT NULL,
        principal jsonb,
        PRIMARY KEY (principal_id, revision)
      )`);
    await q.query(`
      CREATE TABLE policy_admin.resource_versions (
        type text NOT NULL,
        id text NOT NULL,
        revision bigint NOT NULL,
        properties jsonb,
        PRIMARY KEY (type, id, revision)
      )`);
    await q.query(`
      CREATE TABLE policy_admin.history_start (
        id smallint PRIMARY KEY CHECK (id = 1),
        revision bigint NOT NULL
      )`);
    // "The last revision committed at or before T" is looked up by time.
    await q.query(`CREATE INDEX revision_log_committed_at ON policy_admin.revision_log (committed_at)`);
    // Under the counter's row lock: no write commits between the backfill and the recorded start.
    await q.query(`SELECT value FROM policy_admin.revision WHERE id = 1 FOR UPDATE`);
    await q.query(`
      INSERT INTO policy_admin.principal_versions (principal_id, revision, principal)
      SELECT id, revision, jsonb_build_object('id', id, 'type', type, 'roles', roles, 'groups', groups,
               'attributes', attributes)
        FROM policy_admin.principals`);
    await q.query(`
      INSERT INTO policy_admin.resource_versions (type, id, revision, properties)
      SELECT type, id, revision, properties FROM policy_admin.resources`);
    await q.query(`
      INSERT INTO policy_admin.history_start (id, revision)
      SELECT 1, value FROM policy_admin.revision WHERE id = 1`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX policy_admin.revision_log_committed_at`);
    await q.query(`DROP TABLE policy_admin.history_start`);
    await q.query(`DROP TABLE policy_admin.resource_versions`);
    await q.query(`DROP TABLE policy_admin.principal_versions`);
  }
}
