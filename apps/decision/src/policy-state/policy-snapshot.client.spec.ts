import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '@zt/config';
import type { PolicySnapshot } from '@zt/contracts';
import { PolicySnapshotClient } from './policy-snapshot.client';

const SNAPSHOT: PolicySnapshot = {
  revision: 3,
  policies: [
    {
      policyId: 'p1',
      version: 1,
      revision: 2,
      format: 'zt',
      document: {
        id: 'p1',
        name: 'p',
        subjects: ['*'],
        resources: ['a.*'],
        actions: ['read'],
        effect: 'allow',
      },
    },
  ],
  principals: [],
};

describe('policy snapshot client', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zt-snapshot-client-'));
  const tokenFile = join(dir, 'token');
  let server: Server;
  let url: string;
  let answer: (request: IncomingMessage) => { status: number; body: string };

  beforeAll(async () => {
    server = createServer((request, response) => {
      const { status, body } = answer(request);
      response.writeHead(status, { 'content-type': 'application/json' });
      // In pieces, as a large snapshot arrives.
      const half = Math.floor(body.length / 2);
      response.write(body.slice(0, half));
      setTimeout(() => response.end(body.slice(half)), 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const client = (config: Partial<AppConfig>) => new PolicySnapshotClient(config as AppConfig);

  it('fetches the snapshot with the bearer token read from the token file', async () => {
    writeFileSync(tokenFile, 'secret-token\n');
    let seen: IncomingMessage | undefined;
    answer = (request) => {
      seen = request;
      return { status: 200, body: JSON.stringify(SNAPSHOT) };
    };
    const snapshot = await client({ POLICY_ADMIN_URL: url, POLICY_ADMIN_TOKEN_FILE: tokenFile }).fetch();
    expect(snapshot).toEqual(SNAPSHOT);
    expect(seen?.url).toBe('/v1/zt-policy/policies:snapshot');
    expect(seen?.headers.authorization).toBe('Bearer secret-token');
  });

  it('gives up after its attempts when the answer is not a snapshot, so the replica catches up from the topic', async () => {
    let calls = 0;
    answer = () => {
      calls++;
      return { status: 200, body: JSON.stringify({ revision: 'three' }) };
    };
    await expect(client({ POLICY_ADMIN_URL: url }).fetch()).resolves.toBeUndefined();
    expect(calls).toBe(3);
  });

  it('does nothing without POLICY_ADMIN_URL', async () => {
    await expect(client({}).fetch()).resolves.toBeUndefined();
  });
});
