import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** A running embedded PostgreSQL: PGlite behind its socket server, on loopback. */
export interface EmbeddedPostgres {
  host: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Makes a folder tree private to this user: folders 0700, files 0600; symbolic links are left
 * alone (never followed). Iterative, so a deep tree cannot overflow the stack.
 */
export function restrictToOwner(root: string): void {
  const pending = [root];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) continue;
    if (stat.isDirectory()) {
      if ((stat.mode & 0o777) !== 0o700) chmodSync(path, 0o700);
      for (const name of readdirSync(path)) pending.push(join(path, name));
    } else if ((stat.mode & 0o777) !== 0o600) {
      chmodSync(path, 0o600);
    }
  }
}

/**
 * Starts PGlite (real PostgreSQL compiled to WebAssembly) with its data in `dataDir` (or in
 * memory for `memory://`) and serves it on a free loopback port, so TypeORM's ordinary
 * `postgres` driver talks to it exactly as it talks to a PostgreSQL server.
 *
 * The database files are the whole product state (policies, audit trail), so they are kept
 * private to this user. PGlite's file layer creates files 0666 whatever the umask, hence the
 * chmod of the tree at start (which also fixes a folder made by an older version) and at stop;
 * a file created while running sits inside the 0700 folder, which no other user can enter.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const onDisk = !dataDir.startsWith('memory://');
  if (onDisk) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    restrictToOwner(dataDir);
  }
  const db = await PGlite.create(dataDir);
  if (onDisk) restrictToOwner(dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  const address = server.getServerConn();
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  return {
    host: '127.0.0.1',
    port,
    async stop() {
      await server.stop();
      await db.close();
      if (onDisk) restrictToOwner(dataDir);
    },
  };
}
