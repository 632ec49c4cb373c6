import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '@zt/config';
import { Database } from '@zt/persistence';
import { policyAdminService } from '../index';
import type { PolicyAdminOutboxRelay } from '../outbox/outbox.relay';
import type { AttributeSchemaService } from '../attribute-schema/attribute-schema.service';
import { PoliciesRepository } from './policies.repository';
import { PoliciesService } from './policies.service';

const DOCUMENTS = [
  { id: 'p-b', name: 'b', subjects: ['group:x'], resources: ['svc.*'], actions: ['read'], effect: 'allow' },
  {
    id: 'p-a',
    name: 'ünïcode "quoted" \\ slash / ~',
    subjects: ['*'],
    resources: ['a.*'],
    actions: ['*'],
    conditions: { risk_score_max: 0.5, mfa: true, nested: { list: [1, 2.25, null, 'x'] } },
    effect: 'deny',
  },
];

describe('policy snapshot as JSON text', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zt-snapshot-'));
  let database: Database;

  beforeAll(async () => {
    database = await Database.open({
      location: { kind: 'embedded', dataDir: dir },
      entities: policyAdminService.entities,
      migrations: policyAdminService.migrations,
      migrationsTableName: 'policy_admin_migrations',
    });
    const q = (sql: string, params: unknown[]) => database.dataSource.query(sql, params);
    for (const [i, document] of DOCUMENTS.entries()) {
      await q(
        `INSERT INTO policy_admin.policies (id, name, version, format, document, effect, enforcement_mode,
           subject_keys, resource_patterns, revision, created_at, updated_at, deleted_at)
         VALUES ($1, $2, $3, 'zt', $4, $5, 'enforce', '[]', '[]', $6, now(), now(), NULL)`,
        [document.id, document.name, i + 2, JSON.stringify(document), document.effect, 10 + i],
      );
    }
    // A deleted policy is not part of the snapshot.
    await q(
      `INSERT INTO policy_admin.policies (id, name, version, format, document, effect, enforcement_mode,
         subject_keys, resource_patterns, revision, created_at, updated_at, deleted_at)
       VALUES ('p-gone', 'gone', 1, 'zt', '{}', 'allow', 'enforce', '[]', '[]', 12, now(), now(), now())`,
      [],
    );
    await q(
      `INSERT INTO policy_admin.principals (id, type, roles, groups, attributes, version, revision, updated_at)
       VALUES ('alice', 'user', '["engineer"]', '["data"]', '{"level": 3, "team": "ops"}', 1, 13, now())`,
      [],
    );
    await q(
      `INSERT INTO policy_admin.resources (type, id, properties, version, revision, updated_at)
       VALUES ('todo', 't-2', '{"owner": "rick", "tags": ["a"]}', 1, 14, now()),
              ('record', 'r "1"', '{}', 2, 15, now())`,
      [],
    );
    await q(`UPDATE policy_admin.revision SET value = 15 WHERE id = 1`, []);
  });

  afterAll(async () => {
    await database?.onApplicationShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says exactly what the object snapshot says, in id order', async () => {
    const service = new PoliciesService(
      new PoliciesRepository(database.dataSource),
      {} as PolicyAdminOutboxRelay,
      {} as AppConfig,
      {} as AttributeSchemaService,
    );
    const objects = await service.snapshot();
    const text = await service.snapshotJson();
    expect(JSON.parse(text)).toEqual(objects);
    expect(objects.revision).toBe(15);
    expect(objects.policies.map((p) => p.policyId)).toEqual(['p-a', 'p-b']);
    expect(objects.principals).toHaveLength(1);
    expect(objects.resources).toEqual([
      {
        resourceType: 'record',
        resourceId: 'r "1"',
        revision: 15,
        resource: { type: 'record', id: 'r "1"', properties: {} },
      },
      {
        resourceType: 'todo',
        resourceId: 't-2',
        revision: 14,
        resource: { type: 'todo', id: 't-2', properties: { owner: 'rick', tags: ['a'] } },
      },
    ]);
  });
});
