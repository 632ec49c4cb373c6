import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention that stays verifiable, and a least-privilege role for the service.
 *
 * Records are removed only through `audit.prune_through(seq)`: it needs a signed checkpoint at
 * that sequence, keeps the checkpoint as an anchor (the new start of the chain: its head hash is
 * the next record's previous hash, its signature proves it), and is the only way past the
 * append-only trigger. Nothing else may change or remove a record.
 *
 * `zt_audit_writer` holds what the running service needs and nothing more: read and append
 * records and checkpoints, move the SIEM cursor, prune through the function. No UPDATE, DELETE or
 * TRUNCATE on history. Creating it needs CREATEROLE; without it the migration says so and goes on.
 */
export class AuditRetention1763800000008 implements MigrationInterface {
  name = 'AuditRetention1763800000008';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit.anchors (
        through_seq bigint PRIMARY KEY,
        head_hash text NOT NULL,
        checkpoint_created_at timestamptz NOT NULL,
        checkpoint_jws text NOT NULL,
        records bigint NOT NULL,
        pruned_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE OR REPLACE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'records'
           AND current_setting('zt.audit.pruning', true) = 'on'
           AND OLD.seq <= (SELECT coalesce(max(through_seq), 0) FROM audit.anchors) THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit.% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE FUNCTION audit.prune_through(p_seq bigint) RETURNS bigint
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, audit AS $$
      DECLARE
        cp audit.checkpoints;
        removed bigint;
      BEGIN
        SELECT * INTO cp FROM audit.checkpoints WHERE seq = p_seq;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'no signed checkpoint at %: records are pruned only up to one', p_seq;
        END IF;
        IF p_seq <= (SELECT coalesce(max(through_seq), 0) FROM audit.anchors) THEN
          RETURN 0;
        END IF;
        SELECT count(*) INTO removed FROM audit.records WHERE seq <= p_seq;
        INSERT INTO audit.anchors VALUES (p_seq, cp.head_hash, cp.created_at, cp.jws, removed, clock_timestamp());
        PERFORM set_config('zt.audit.pruning', 'on', true);
        DELETE FROM audit.records WHERE seq <= p_seq;
        PERFORM set_config('zt.audit.pruning', 'off', true);
        RETURN removed;
      END $$`);
    await q.query(`
      CREATE TRIGGER anchors_append_only BEFORE UPDATE OR DELETE ON audit.anchors
      FOR EACH ROW EXECUTE FUNCTION audit.refuse_change()`);
    await q.query(`REVOKE ALL ON FUNCTION audit.prune_through(bigint) FROM PUBLIC`);
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'zt_audit_writer') THEN
          CREATE ROLE zt_audit_writer NOLOGIN;
        END IF;
        GRANT USAGE ON SCHEMA audit TO zt_audit_writer;
        GRANT SELECT, INSERT ON audit.records, audit.checkpoints TO zt_audit_writer;
        GRANT SELECT ON audit.anchors TO zt_audit_writer;
        GRANT SELECT, UPDATE ON audit.siem_cursor TO zt_audit_writer;
        GRANT EXECUTE ON FUNCTION audit.prune_through(bigint) TO zt_audit_writer;
      EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'zt_audit_writer not set up: the migration user may not create roles; see docs/operations.md';
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION audit.prune_through(bigint)`);
    await q.query(`DROP TABLE audit.anchors`);
  }
}
