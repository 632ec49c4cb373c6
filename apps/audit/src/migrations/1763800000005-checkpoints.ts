import { MigrationInterface, QueryRunner } from 'typeorm';

/** Signed checkpoints of the audit chain; append-only like the records. */
export class Checkpoints1763800000005 implements MigrationInterface {
  name = 'Checkpoints1763800000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit.checkpoints (
        seq bigint PRIMARY KEY,
        head_hash text NOT NULL,
        created_at timestamptz NOT NULL,
        jws text NOT NULL
      )`);
    await q.query(`
      CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON audit.checkpoints
      FOR EACH ROW EXECUTE FUNCTION audit.refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit.checkpoints`);
  }
}
