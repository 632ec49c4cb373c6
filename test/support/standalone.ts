import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_SERVICES } from '../../apps/standalone/src/services';
import { DevIssuer } from '@zt/auth';
import { loadConfig } from '@zt/config';
import { RunningProcess, startStandalone } from '@zt/runtime';

/** A standalone product on a free port with its own data folder, and its token issuer. */
export interface StandaloneUnderTest {
  process: RunningProcess;
  url: string;
  issuer: DevIssuer;
  dataDir: string;
  stop(): Promise<void>;
}

/** Starts the whole product in this process, exactly as `npm start` does but on port 0. */
export async function startStandaloneForTest(env: Record<string, string> = {}): Promise<StandaloneUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), 'zt-e2e-'));
  const config = loadConfig({ PORT: '0', GRPC_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env });
  const running = await startStandalone(ALL_SERVICES, config);
  return {
    process: running,
    url: running.url,
    issuer: running.app.get(DevIssuer),
    dataDir,
    async stop() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
