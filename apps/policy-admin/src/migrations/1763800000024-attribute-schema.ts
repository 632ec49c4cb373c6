import { MigrationInterface, QueryRunner } from 'typeorm';

/** Every version of the attribute schema policies are type-checked against; the newest applies. */
export class AttributeSchema1763800000024 implements MigrationInterface {
  name = 'AttributeSchema1763800000024';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE policy_admin.attribute_schema_versions (
        version integer PRIMARY KEY,
        schema jsonb NOT NULL,
        actor text NOT NULL,
        reason text,
        created_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE policy_admin.attribute_schema_versions`);
  }
}
