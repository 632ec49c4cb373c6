import { MigrationInterface, QueryRunner } from 'typeorm';

/** How far the SIEM relay has published the (append-only) records to zt.audit.events. */
export class SiemCursor1763800000004 implements MigrationInterface {
  name = 'SiemCursor1763800000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE audit.siem_cursor (id smallint PRIMARY KEY CHECK (id = 1), seq bigint NOT NULL)`,
    );
    await q.query(`INSERT INTO audit.siem_cursor (id, seq) VALUES (1, 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit.siem_cursor`);
  }
}
