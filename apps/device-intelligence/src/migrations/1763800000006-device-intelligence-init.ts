import { outboxTableSql } from '@zt/persistence';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** The model integration, every device's latest posture and score, and the outbox. */
export class DeviceIntelligenceInit1763800000006 implements MigrationInterface {
  name = 'DeviceIntelligenceInit1763800000006';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SCHEMA IF NOT EXISTS device_intelligence`);
    // One row at most: the integrated risk model.
    await q.query(`
      CREATE TABLE device_intelligence.integration (
        id smallint PRIMARY KEY CHECK (id = 1),
        model_url text NOT NULL,
        threshold double precision NOT NULL,
        timeout_ms integer NOT NULL,
        on_failure text NOT NULL,
        updated_by text NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    // The last scored answer stays next to the posture: on_failure = last_known reads it, across restarts.
    await q.query(`
      CREATE TABLE device_intelligence.devices (
        device_id text PRIMARY KEY,
        signals jsonb NOT NULL,
        observed_at timestamptz NOT NULL,
        risk jsonb,
        last_model_score double precision,
        last_model_score_at timestamptz
      )`);
    for (const sql of outboxTableSql('device_intelligence')) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SCHEMA device_intelligence CASCADE`);
  }
}
