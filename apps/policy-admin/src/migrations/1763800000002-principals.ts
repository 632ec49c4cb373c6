import { MigrationInterface, QueryRunner } from 'typeorm';

/** The principal directory. */
export class Principals1763800000002 implements MigrationInterface {
  name = 'Principals1763800000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE policy_admin.principals (
        id text PRIMARY KEY,
        type text NOT NULL,
        roles jsonb NOT NULL,
        groups jsonb NOT NULL,
        attributes jsonb NOT NULL,
        version integer NOT NULL,
        revision bigint NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE policy_admin.principals`);
  }
}
