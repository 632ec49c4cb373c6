import { MigrationInterface, QueryRunner } from 'typeorm';

/** When each revision was committed: the start of its propagation to the decision replicas. */
export class RevisionLog1763800000007 implements MigrationInterface {
  name = 'RevisionLog1763800000007';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE policy_admin.revision_log (
        revision bigint PRIMARY KEY,
        committed_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE policy_admin.revision_log`);
  }
}
