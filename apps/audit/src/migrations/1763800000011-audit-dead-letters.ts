import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dead letters: what arrived on the bus and could not become an audit record, kept whole (the
 * raw JSON as bytes: bytea holds what text and jsonb refuse) with the reason. Append-only like
 * the records, since they are evidence too; `arrival_key` makes a redelivered message land once.
 */
export class AuditDeadLetters1763800000011 implements MigrationInterface {
  name = 'AuditDeadLetters1763800000011';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit.dead_letters (
        id bigserial PRIMARY KEY,
        arrival_key text NOT NULL UNIQUE,
        received_at timestamptz NOT NULL,
        reason text NOT NULL,
        detail text NOT NULL,
        topic text NOT NULL,
        kafka_partition integer,
        kafka_offset text,
        message_id text NOT NULL,
        message_type text NOT NULL,
        entry_index integer,
        raw bytea NOT NULL,
        raw_sha256 text NOT NULL
      )`);
    await q.query(`CREATE INDEX dead_letters_reason_idx ON audit.dead_letters (reason, id)`);
    await q.query(`
      CREATE TRIGGER dead_letters_append_only BEFORE UPDATE OR DELETE ON audit.dead_letters
      FOR EACH ROW EXECUTE FUNCTION audit.refuse_change()`);
    await q.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'zt_audit_writer') THEN
          GRANT SELECT, INSERT ON audit.dead_letters TO zt_audit_writer;
          GRANT USAGE ON SEQUENCE audit.dead_letters_id_seq TO zt_audit_writer;
        END IF;
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'zt_audit_writer not granted dead letters: see docs/operations.md';
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit.dead_letters`);
  }
}
