import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from './embedded-postgres';

/** Every mode in a tree, as "d700" or "f600", with how often it occurs. */
function modes(root: string): Record<string, number> {
  const counts: Record<string, number> = {};
  const pending = [root];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    const stat = lstatSync(path);
    const key = `${stat.isDirectory() ? 'd' : 'f'}${(stat.mode & 0o777).toString(8)}`;
    counts[key] = (counts[key] ?? 0) + 1;
    if (stat.isDirectory()) for (const name of readdirSync(path)) pending.push(join(path, name));
  }
  return counts;
}

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

  it('keeps its files private to this user: folders 0700, files 0600', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'zt-pglite-modes-'));
    const fresh = join(parent, 'data', 'pg');
    const db = await startEmbeddedPostgres(fresh);
    try {
      expect(Object.keys(modes(fresh)).sort()).toEqual(['d700', 'f600']);
      // Files made while running (a migration's new table) are fixed at stop.
      await query(db.port, `CREATE TABLE made_later (a int)`);
    } finally {
      await db.stop();
    }
    expect(Object.keys(modes(fresh)).sort()).toEqual(['d700', 'f600']);
    // The parent it had to create is private too.
    expect(lstatSync(join(fresh, '..')).mode & 0o777).toBe(0o700);
    rmSync(parent, { recursive: true, force: true });
  });

  it('fixes the modes of a folder an older version left world-readable', async () => {
    const old = mkdtempSync(join(tmpdir(), 'zt-pglite-old-'));
    const first = await startEmbeddedPostgres(old);
    await first.stop();
    chmodSync(old, 0o755);
    mkdirSync(join(old, 'stray'), { mode: 0o755 });
    writeFileSync(join(old, 'stray', 'file'), 'x', { mode: 0o644 });
    chmodSync(join(old, 'stray', 'file'), 0o666);
    const second = await startEmbeddedPostgres(old);
    try {
      expect(Object.keys(modes(old)).sort()).toEqual(['d700', 'f600']);
    } finally {
      await second.stop();
      rmSync(old, { recursive: true, force: true });
    }
  });
});
