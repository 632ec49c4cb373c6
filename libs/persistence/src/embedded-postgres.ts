import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** A running embedded PostgreSQL: PGlite behind its socket server, on loopback. */
export interface EmbeddedPostgres {
  host: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts PGlite (real PostgreSQL compiled to WebAssembly) with its data in `dataDir` (or in
 * memory for `memory://`) and serves it on a free loopback port, so TypeORM's ordinary
 * `postgres` driver talks to it exactly as it talks to a PostgreSQL server.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
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
    },
  };
}
