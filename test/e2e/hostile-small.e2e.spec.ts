import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, get, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_SERVICES } from '../../apps/standalone/src/services';
import { DevIssuer } from '@zt/auth';
import { loadConfig } from '@zt/config';
import { RunningProcess, startStandalone } from '@zt/runtime';
import { call, eventually } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

type Problem = { status: number; detail: string; errors?: { pointer: string; detail: string }[] };

/** GET with a Host header of the caller's choosing (fetch does not let a test set it). */
function getWithHost(
  url: string,
  host: string,
): Promise<{ headers: Record<string, unknown>; body: unknown }> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { host } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ headers: response.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }),
      );
    }).on('error', reject);
  });
}

/** Sum of a Prometheus counter over all its label sets. */
async function counter(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** Every entry's permission bits in a tree, as "d700" / "f600", without duplicates. */
function modes(root: string): string[] {
  const found = new Set<string>();
  const pending = [root];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    const stat = lstatSync(path);
    found.add(`${stat.isDirectory() ? 'd' : 'f'}${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const name of readdirSync(path)) pending.push(join(path, name));
  }
  return [...found].sort();
}

describe('small hostile inputs (standalone)', () => {
  let product: StandaloneUnderTest;
  let admin: string;

  beforeAll(async () => {
    product = await startStandaloneForTest({
      PUBLIC_BASE_URL: 'https://pdp.example.com/authz',
      RATE_LIMIT_PER_SECOND: '5',
    });
    admin = await product.issuer.mint({ sub: 'pat@company.com', roles: ['policy_admin'] });
    const created = await call(product.url, 'POST', '/v1/zt-policy/policies', {
      token: admin,
      body: {
        id: 'pol_read',
        name: 'everyone reads the wiki',
        subjects: ['*'],
        resources: ['wiki.*'],
        actions: ['read'],
        effect: 'allow',
      },
    });
    expect(created.status).toBe(201);
  });

  afterAll(() => product?.stop());

  it('builds the AuthZEN metadata from PUBLIC_BASE_URL, never from the Host header, and lets it be cached', async () => {
    const meta = await getWithHost(`${product.url}/.well-known/authzen-configuration`, 'evil.example');
    expect(meta.body).toEqual({
      policy_decision_point: 'https://pdp.example.com/authz',
      access_evaluation_endpoint: 'https://pdp.example.com/authz/access/v1/evaluation',
      access_evaluations_endpoint: 'https://pdp.example.com/authz/access/v1/evaluations',
      search_subject_endpoint: 'https://pdp.example.com/authz/access/v1/search/subject',
      search_resource_endpoint: 'https://pdp.example.com/authz/access/v1/search/resource',
      search_action_endpoint: 'https://pdp.example.com/authz/access/v1/search/action',
    });
    expect(meta.headers['cache-control']).toBe('public, max-age=300');
  });

  it('refuses a batch larger than the rate limit before evaluating or logging any of it', async () => {
    const pep = await product.issuer.mint({ sub: 'gateway-batch', roles: ['pep'] });
    const entry = {
      subject: { type: 'user', id: 'alice' },
      action: { name: 'read' },
      resource: { type: 'doc', id: 'wiki.a' },
    };
    const decidedBefore = await counter(product.url, 'zt_decisions_total');
    const tooLarge = await call<Problem>(product.url, 'POST', '/access/v1/evaluations', {
      token: pep,
      body: { evaluations: Array.from({ length: 6 }, () => entry) },
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.detail).toContain('RATE_LIMIT_PER_SECOND');
    expect(tooLarge.body.errors).toEqual([
      { pointer: '/evaluations', detail: 'must have at most 5 entries (RATE_LIMIT_PER_SECOND)' },
    ]);
    expect(await counter(product.url, 'zt_decisions_total')).toBe(decidedBefore);
    // A batch that fits is answered whole (this caller has made no other call).
    const fits = await call<{ evaluations: unknown[] }>(product.url, 'POST', '/access/v1/evaluations', {
      token: pep,
      body: { evaluations: Array.from({ length: 5 }, () => entry) },
    });
    expect(fits.status).toBe(200);
    expect(fits.body.evaluations).toHaveLength(5);
    expect(await counter(product.url, 'zt_decisions_total')).toBe(decidedBefore + 5);
  });

  it.each(['99999999999', '2147483648', '0', 'abc', '1e3', '0x10', '-1', '1.0', '%201'])(
    'answers 400 naming the version parameter for versions/%s',
    async (version) => {
      const response = await call<Problem>(
        product.url,
        'GET',
        `/v1/zt-policy/policies/pol_read/versions/${version}`,
        { token: admin },
      );
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        { pointer: '/version', detail: 'path parameter must be a version number from 1 to 2147483647' },
      ]);
      expect(JSON.stringify(response.body)).not.toContain('NaN');
    },
  );

  it('answers 404 for a well-formed version that does not exist, and 200 for one that does', async () => {
    const base = '/v1/zt-policy/policies/pol_read/versions';
    const absent = await call<Problem>(product.url, 'GET', `${base}/2147483647`, { token: admin });
    expect(absent.status).toBe(404);
    expect(absent.body.detail).toBe('Policy pol_read has no version 2147483647.');
    expect((await call(product.url, 'GET', `${base}/1`, { token: admin })).status).toBe(200);
  });

  it.each([99999999999, 2147483648])(
    'answers 400 naming the version for a rollback to %s, beyond any storable version',
    async (version) => {
      const response = await call<Problem>(product.url, 'POST', '/v1/zt-policy/policies/pol_read/rollback', {
        token: admin,
        body: { version },
      });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        { pointer: '/version', detail: 'must be a version number from 1 to 2147483647' },
      ]);
    },
  );

  it.each([
    ['limit', '1e2'],
    ['limit', '0x10'],
    ['limit', ' 5'],
    // 400 'A's decode to NUL bytes, which no policy id holds and PostgreSQL cannot compare.
    ['cursor', 'A'.repeat(400)],
  ])('answers 400 naming the %s query parameter for %j', async (name, value) => {
    const response = await call<Problem>(
      product.url,
      'GET',
      `/v1/zt-policy/policies?${name}=${encodeURIComponent(value)}`,
      { token: admin },
    );
    expect(response.status).toBe(400);
    expect(response.body.errors?.map((e) => e.pointer)).toEqual([`/${name}`]);
  });
});

describe('the model allow-list, checked at every call (standalone)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'zt-e2e-allow-'));
  let running: RunningProcess | undefined;
  let model: Server;
  let modelCalls = 0;
  let modelUrl: string;

  async function start(env: Record<string, string>): Promise<{ url: string; admin: string; agent: string }> {
    running = await startStandalone(
      ALL_SERVICES,
      loadConfig({
        PORT: '0',
        GRPC_PORT: '0',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
        MODEL_SCORE_CACHE_SECONDS: '0',
        ...env,
      }),
    );
    const issuer = running.app.get(DevIssuer);
    return {
      url: running.url,
      admin: await issuer.mint({ sub: 'ines@company.com', roles: ['infra_admin'] }),
      agent: await issuer.mint({ sub: 'agent-fleet', roles: ['device_agent'] }),
    };
  }

  /** Reports a device's posture and waits for the verdict scored after `since`. */
  async function scored(url: string, agent: string, admin: string, deviceId: string) {
    const since = new Date().toISOString();
    const accepted = await call(url, 'POST', '/v1/zt-policy/device-intelligence/posture', {
      token: agent,
      body: { device_id: deviceId, signals: { managed: true, disk_encrypted: true } },
    });
    expect(accepted.status).toBe(202);
    return eventually(async () => {
      const r = await call<{
        risk: { at: string; restricted: boolean; failure?: string; explanation: string[] } | null;
      }>(url, 'GET', `/v1/zt-policy/device-intelligence/devices/${deviceId}`, { token: admin });
      return r.status === 200 && r.body.risk && r.body.risk.at >= since ? r.body.risk : undefined;
    });
  }

  beforeAll(async () => {
    // A fake model that counts every request it receives.
    model = createServer((req, res) => {
      modelCalls += 1;
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ score: 0.1, model: 'counting' }));
      });
    });
    await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve));
    modelUrl = `http://127.0.0.1:${(model.address() as AddressInfo).port}/score`;
  });

  afterAll(async () => {
    await running?.close();
    await new Promise((resolve) => model.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops calling a stored model that the settings of a restart forbid, and says so on /readyz', async () => {
    // Standalone allows a model on loopback: it is stored and called.
    let product = await start({});
    const integrated = await call(product.url, 'POST', '/v1/zt-policy/device-intelligence/integrate', {
      token: product.admin,
      body: { model_url: modelUrl, threshold: 0.75 },
    });
    expect(integrated.status).toBe(200);
    expect(await scored(product.url, product.agent, product.admin, 'laptop-1')).toMatchObject({
      restricted: false,
    });
    expect(modelCalls).toBe(1);
    const meta = await call(product.url, 'GET', '/.well-known/authzen-configuration');
    // No PUBLIC_BASE_URL: the process's own address, whatever the request said.
    expect(meta.body.policy_decision_point).toBe(product.url);
    await running?.close();
    running = undefined;

    // The database and keys left behind are private to this user.
    expect(modes(dataDir)).toEqual(['d700', 'f600']);

    // Restarted with an allow-list that leaves the stored URL out.
    product = await start({ MODEL_ALLOWED_HOSTS: 'ml.example.com' });
    const risk = await scored(product.url, product.agent, product.admin, 'laptop-2');
    expect(risk).toMatchObject({ restricted: true, failure: 'forbidden_host' });
    expect(risk.explanation[0]).toContain('host 127.0.0.1 is not in MODEL_ALLOWED_HOSTS');
    expect(modelCalls).toBe(1);

    const ready = await call<{
      status: string;
      checks: Record<string, { ready: boolean; detail: Record<string, unknown> }>;
    }>(product.url, 'GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks['risk-model']).toMatchObject({
      ready: false,
      detail: { integrated: true, forbidden: 'host 127.0.0.1 is not in MODEL_ALLOWED_HOSTS' },
    });

    // The same URL is refused when written now, naming the setting.
    const again = await call<Problem>(product.url, 'POST', '/v1/zt-policy/device-intelligence/integrate', {
      token: product.admin,
      body: { model_url: modelUrl, threshold: 0.75 },
    });
    expect(again.status).toBe(400);
    expect(again.body.errors).toEqual([
      { pointer: '/model_url', detail: 'host 127.0.0.1 is not in MODEL_ALLOWED_HOSTS' },
    ]);
  });
});
