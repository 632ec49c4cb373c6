import { MigrationInterface, QueryRunner } from 'typeorm';

/** The append-only audit table; a trigger makes the database itself refuse changes to history. */
export class AuditInit1763800000001 implements MigrationInterface {
  name = 'AuditInit1763800000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS audit`);
    await q.query(`
      CREATE TABLE audit.records (
        seq bigint PRIMARY KEY,
        event_id text NOT NULL UNIQUE,
        recorded_at timestamptz NOT NULL,
        event_time timestamptz NOT NULL,
        type text NOT NULL,
        source text NOT NULL,
        actor text NOT NULL,
        subject text,
        payload jsonb NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL
      )`);
    await q.query(`CREATE INDEX records_type_idx ON audit.records (type, seq)`);
    await q.query(`
      CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit.records is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER records_append_only BEFORE UPDATE OR DELETE ON audit.records
      FOR EACH ROW EXECUTE FUNCTION audit.refuse_change()`);
    await q.query(`
      CREATE TRIGGER records_no_truncate BEFORE TRUNCATE ON audit.records
      FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA audit CASCADE`);
  }
}
