import { MigrationInterface, QueryRunner } from 'typeorm';

/** SSF transmitter: receivers' streams, their subjects and the SETs waiting to be polled. */
export class SsfStreams1763800000026 implements MigrationInterface {
  name = 'SsfStreams1763800000026';

  async up(q: QueryRunner): Promise<void> {
    // owner is the token subject that created the stream: only it (or infra_admin) may see it.
    await q.query(`
      CREATE TABLE device_intelligence.ssf_streams (
        stream_id text PRIMARY KEY,
        owner text NOT NULL,
        audience text NOT NULL,
        events_requested jsonb NOT NULL,
        delivery_method text NOT NULL,
        description text,
        status text NOT NULL,
        reason text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX ssf_streams_owner ON device_intelligence.ssf_streams (owner)`);
    await q.query(`
      CREATE TABLE device_intelligence.ssf_subjects (
        stream_id text NOT NULL REFERENCES device_intelligence.ssf_streams ON DELETE CASCADE,
        subject_key text NOT NULL,
        subject jsonb NOT NULL,
        verified boolean NOT NULL,
        added_at timestamptz NOT NULL,
        PRIMARY KEY (stream_id, subject_key)
      )`);
    // Signed SETs waiting for the receiver's acknowledgement (at-least-once delivery).
    await q.query(`
      CREATE TABLE device_intelligence.ssf_pending_sets (
        seq bigserial PRIMARY KEY,
        stream_id text NOT NULL REFERENCES device_intelligence.ssf_streams ON DELETE CASCADE,
        jti text NOT NULL,
        set_jwt text NOT NULL,
        queued_at timestamptz NOT NULL,
        UNIQUE (stream_id, jti)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE device_intelligence.ssf_pending_sets`);
    await q.query(`DROP TABLE device_intelligence.ssf_subjects`);
    await q.query(`DROP TABLE device_intelligence.ssf_streams`);
  }
}
