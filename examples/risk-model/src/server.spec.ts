import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeviceFeatures } from './features';
import { RiskModel } from './risk-model';
import { createRiskModelServer, MAX_BODY_BYTES } from './server';

const HEALTHY: DeviceFeatures = {
  managed: 1,
  disk_encrypted: 1,
  edr_running: 1,
  jailbroken: 0,
  untrusted_network: 0,
  patch_age_days: 2,
  failed_logins_24h: 0,
};
const ANOMALOUS: DeviceFeatures = {
  managed: 0,
  disk_encrypted: 0,
  edr_running: 0,
  jailbroken: 1,
  untrusted_network: 1,
  patch_age_days: 200,
  failed_logins_24h: 30,
};

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { pointer: string; message: string }[];
}

describe('the risk model server (zt.device-risk.v1 contract)', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createRiskModelServer(new RiskModel());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const post = (body: string) =>
    fetch(`${base}/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const score = (device_id: string, features: unknown) =>
    post(JSON.stringify({ contract: 'zt.device-risk.v1', device_id, features, signals: {} }));

  async function expectProblem(response: Response, status: number): Promise<Problem> {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await response.json()) as Problem;
    expect(problem).toMatchObject({ status, type: expect.any(String), title: expect.any(String) });
    return problem;
  }

  it('scores a healthy device below 0.5', async () => {
    const response = await score('laptop-42', HEALTHY);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const answer = (await response.json()) as { score: number };
    expect(answer).toEqual({
      device_id: 'laptop-42',
      score: expect.any(Number),
      model: 'isolation-forest',
      version: '1',
      explanation: [],
    });
    expect(answer.score).toBeLessThan(0.5);
  });

  it('scores an anomalous device above 0.9 and explains it', async () => {
    const response = await score('laptop-9', ANOMALOUS);
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { device_id: string; score: number; explanation: string[] };
    expect(answer.device_id).toBe('laptop-9');
    expect(answer.score).toBeGreaterThan(0.9);
    expect(answer.explanation).toContain('jailbroken = 1, fleet baseline 0');
  });

  it('answers 400 problem+json for a body that is not JSON', async () => {
    const problem = await expectProblem(await post('{not json'), 400);
    expect(problem.errors).toEqual([{ pointer: '', message: expect.any(String) }]);
  });

  it('answers 400 with the pointer of a missing feature', async () => {
    const { managed: _managed, ...withoutManaged } = HEALTHY;
    const problem = await expectProblem(await score('laptop-42', withoutManaged), 400);
    expect(problem.errors).toEqual([{ pointer: '/features/managed', message: 'is required' }]);
  });

  it('answers 413 for a body over 64 KiB', async () => {
    const padding = 'x'.repeat(MAX_BODY_BYTES);
    const body = JSON.stringify({ device_id: 'laptop-42', features: HEALTHY, signals: { padding } });
    expect(Buffer.byteLength(body)).toBeGreaterThan(64 * 1024);
    await expectProblem(await post(body), 413);
  });

  it('serves its health', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      model: 'isolation-forest',
      version: '1',
      trained_on: 2000,
    });
  });

  it('answers 405 for other methods and 404 for other paths', async () => {
    const get = await fetch(`${base}/score`);
    await expectProblem(get, 405);
    expect(get.headers.get('allow')).toBe('POST');
    await expectProblem(await fetch(`${base}/score`, { method: 'PUT', body: '{}' }), 405);
    await expectProblem(await fetch(`${base}/healthz`, { method: 'POST', body: '{}' }), 405);
    await expectProblem(await fetch(`${base}/nowhere`), 404);
  });
});
