// The worker thread of startEmbeddedPostgres: PGlite (PostgreSQL compiled to WebAssembly) and its
// socket server, so that every query's execution runs on a core of its own instead of the
// service's event loop. It imports packages only (no path aliases): when the services run from
// the TypeScript sources (tests), this file is transpiled on the fly and run as code.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** What the thread answers: ready on a port, failed to start, or stopped. */
export type FromEmbeddedPostgres =
  { kind: 'ready'; port: number } | { kind: 'failed'; error: string } | { kind: 'stopped' };

/** What the thread is asked: stop (close the server and the database, then exit). */
export type ToEmbeddedPostgres = { kind: 'stop' };

async function serve(dataDir: string): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('embedded-postgres.worker runs in a worker thread only');
  const reply = (message: FromEmbeddedPostgres): void => port.postMessage(message);
  let db: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  port.on('message', (message: ToEmbeddedPostgres) => {
    if (message.kind !== 'stop') return;
    void (async () => {
      await server?.stop();
      await db?.close();
      reply({ kind: 'stopped' });
      port.close();
    })();
  });
  try {
    db = await PGlite.create(dataDir);
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
    await server.start();
    const address = server.getServerConn();
    reply({ kind: 'ready', port: Number(address.slice(address.lastIndexOf(':') + 1)) });
  } catch (error) {
    reply({ kind: 'failed', error: error instanceof Error ? error.message : String(error) });
    port.close();
  }
}

void serve((workerData as { dataDir: string }).dataDir);
