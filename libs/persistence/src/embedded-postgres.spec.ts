import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from './embedded-postgres';

async function query(port: number, sql: string): Promise<unknown[]> {
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    const result = await client.query<Record<string, unknown>>(sql);
    return result.rows;
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zt-pglite-'));

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the postgres wire protocol and keeps data in its folder across restarts', async () => {
    const first = await startEmbeddedPostgres(dir);
    await query(first.port, `CREATE TABLE kept (doc jsonb NOT NULL, at timestamptz NOT NULL)`);
    await query(first.port, `INSERT INTO kept VALUES ('{"a": 1}', '2026-11-22T10:00:00Z')`);
    await first.stop();

    const second = await startEmbeddedPostgres(dir);
    try {
      expect(await query(second.port, `SELECT doc FROM kept`)).toEqual([{ doc: { a: 1 } }]);
    } finally {
      await second.stop();
    }
  });
});
