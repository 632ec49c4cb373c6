import { MigrationInterface, QueryRunner } from 'typeorm';

/** Policies, their version history, the global revision counter and the outbox. */
export class PolicyAdminInit1763800000000 implements MigrationInterface {
  name = 'PolicyAdminInit1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS policy_admin`);
    await q.query(`
      CREATE TABLE policy_admin.policies (
        id text PRIMARY KEY,
        name text NOT NULL,
        version integer NOT NULL,
        format text NOT NULL,
        document jsonb NOT NULL,
        effect text NOT NULL,
        enforcement_mode text NOT NULL,
        revision bigint NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        deleted_at timestamptz
      )`);
    await q.query(`CREATE INDEX policies_active_idx ON policy_admin.policies (id) WHERE deleted_at IS NULL`);
    await q.query(`
      CREATE TABLE policy_admin.policy_versions (
        policy_id text NOT NULL,
        version integer NOT NULL,
        change text NOT NULL,
        format text NOT NULL,
        document jsonb,
        revision bigint NOT NULL,
        actor text NOT NULL,
        reason text,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (policy_id, version)
      )`);
    // One row: the policy set's revision. Incremented under a row lock inside each change's
    // transaction, so revisions follow commit order.
    await q.query(
      `CREATE TABLE policy_admin.revision (id smallint PRIMARY KEY CHECK (id = 1), value bigint NOT NULL)`,
    );
    await q.query(`INSERT INTO policy_admin.revision (id, value) VALUES (1, 0)`);
    await q.query(`
      CREATE TABLE policy_admin.outbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        topic text NOT NULL,
        message_key text NOT NULL,
        event jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        published_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX outbox_unpublished_idx ON policy_admin.outbox (id) WHERE published_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA policy_admin CASCADE`);
  }
}
