import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import type { FromEmbeddedPostgres, ToEmbeddedPostgres } from './embedded-postgres.worker';

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

// A database that cannot close (a query stuck in WebAssembly) must not hold a shutdown forever.
const STOP_TIMEOUT_MS = 10_000;

/**
 * The worker's code: the compiled file beside this one when the services run from dist; from the
 * TypeScript sources (tests), the source transpiled here, which the worker runs as CommonJS.
 */
function workerScript(): { script: string; eval: boolean } {
  const compiled = join(__dirname, 'embedded-postgres.worker.js');
  if (existsSync(compiled)) return { script: compiled, eval: false };
  // typescript is a development dependency: only reached when dist is not what runs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof import('typescript');
  const source = readFileSync(join(__dirname, 'embedded-postgres.worker.ts'), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  });
  return { script: outputText, eval: true };
}

/**
 * Starts PGlite (real PostgreSQL compiled to WebAssembly) with its data in `dataDir` (or in
 * memory for `memory://`) in a worker thread of its own, and serves it on a free loopback port,
 * so TypeORM's ordinary `postgres` driver talks to it exactly as it talks to a PostgreSQL server.
 * In its own thread, query execution (65–80 µs of CPU per inserted row) runs on the second core
 * instead of the event loop that also answers decisions: the standalone audit ingest needs it.
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
  const logger = new Logger('EmbeddedPostgres');
  const { script, eval: isCode } = workerScript();
  const worker = new Worker(script, { eval: isCode, workerData: { dataDir } });
  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', (error) => logger.error(`the embedded database thread failed: ${error.message}`));
  void exited.then(() => {
    // Queries fail from here on (connection refused): the services answer 503, nothing is lost.
    if (!stopping) logger.error('the embedded database thread exited');
  });
  const port = await new Promise<number>((resolve, reject) => {
    const onMessage = (message: FromEmbeddedPostgres): void => {
      if (message.kind === 'ready') resolve(message.port);
      else if (message.kind === 'failed') reject(new Error(`embedded PostgreSQL: ${message.error}`));
      else return;
      worker.off('message', onMessage);
    };
    worker.on('message', onMessage);
    void exited.then(() => reject(new Error('embedded PostgreSQL: the thread exited before it was ready')));
  });
  if (onDisk) restrictToOwner(dataDir);
  return {
    host: '127.0.0.1',
    port,
    async stop() {
      stopping = true;
      worker.postMessage({ kind: 'stop' } satisfies ToEmbeddedPostgres);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_MS)));
      await Promise.race([exited, late]);
      clearTimeout(timer);
      await worker.terminate();
      if (onDisk) restrictToOwner(dataDir);
    },
  };
}
