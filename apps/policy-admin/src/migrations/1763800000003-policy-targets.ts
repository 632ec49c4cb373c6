import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Subject keys and resource globs of each policy, whatever its shape, so the list can filter in
 * SQL. Existing rows are filled from the API-shape documents; other shapes are filled when the
 * service next writes them (a fresh database has none).
 */
export class PolicyTargets1763800000003 implements MigrationInterface {
  name = 'PolicyTargets1763800000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE policy_admin.policies ADD COLUMN subject_keys jsonb NOT NULL DEFAULT '[]'`);
    await q.query(
      `ALTER TABLE policy_admin.policies ADD COLUMN resource_patterns jsonb NOT NULL DEFAULT '[]'`,
    );
    await q.query(`
      UPDATE policy_admin.policies
         SET subject_keys = COALESCE(document->'subjects', '[]'), resource_patterns = COALESCE(document->'resources', '[]')
       WHERE format = 'zt'`);
    await q.query(`CREATE INDEX policies_subject_keys_idx ON policy_admin.policies USING gin (subject_keys)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE policy_admin.policies DROP COLUMN subject_keys, DROP COLUMN resource_patterns`,
    );
  }
}
