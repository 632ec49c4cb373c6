import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseScoreRequest } from './features';
import { RiskModel } from './risk-model';
import { createRiskModelServer } from './server';

const features = {
  managed: 1,
  disk_encrypted: 1,
  edr_running: 1,
  jailbroken: 0,
  untrusted_network: 0,
  patch_age_days: 2,
  failed_logins_24h: 0,
};

describe('parseScoreRequest', () => {
  it('accepts the contract and ignores the optional members', () => {
    const result = parseScoreRequest({
      contract: 'zt.device-risk.v1',
      device_id: 'd',
      features,
      signals: {},
    });
    expect(result).toEqual({ ok: true, request: { device_id: 'd', features } });
  });

  it('names every bad field by its pointer', () => {
    const { managed: _managed, ...rest } = features;
    const result = parseScoreRequest({
      device_id: '',
      features: { ...rest, jailbroken: 2, patch_age_days: -1, cpu: 3 },
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.pointer)).toEqual([
      '/device_id',
      '/features/managed',
      '/features/jailbroken',
      '/features/patch_age_days',
      '/features/cpu',
    ]);
    expect(parseScoreRequest([1])).toMatchObject({ ok: false, errors: [{ pointer: '' }] });
  });
});

describe('the model server (contract test)', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createRiskModelServer(new RiskModel({ fleetSize: 1000, trees: 50 }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const post = (body: string) =>
    fetch(`${base}/score`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('scores a healthy device low and an anomalous one high', async () => {
    const healthy = await post(JSON.stringify({ device_id: 'ok', features }));
    expect(healthy.status).toBe(200);
    const answer = (await healthy.json()) as { device_id: string; score: number; model: string };
    expect(answer).toMatchObject({ device_id: 'ok', model: 'isolation-forest', version: '1' });
    expect(answer.score).toBeLessThan(0.5);
    const bad = {
      managed: 0,
      disk_encrypted: 0,
      edr_running: 0,
      jailbroken: 1,
      untrusted_network: 1,
      patch_age_days: 300,
      failed_logins_24h: 50,
    };
    const anomalous = (await (await post(JSON.stringify({ device_id: 'bad', features: bad }))).json()) as {
      score: number;
    };
    expect(anomalous.score).toBeGreaterThan(0.9);
  });

  it('answers problems for garbage, missing features and oversized bodies', async () => {
    const garbage = await post('{not json');
    expect(garbage.status).toBe(400);
    expect(garbage.headers.get('content-type')).toBe('application/problem+json');
    const { managed: _managed, ...rest } = features;
    const missing = await post(JSON.stringify({ device_id: 'x', features: rest }));
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { errors: { pointer: string }[] }).errors[0].pointer).toBe(
      '/features/managed',
    );
    const huge = await post(
      JSON.stringify({ device_id: 'x', features, signals: { pad: 'x'.repeat(70_000) } }),
    );
    expect(huge.status).toBe(413);
  });

  it('serves health, and refuses other routes and methods', async () => {
    const health = await fetch(`${base}/healthz`);
    expect(await health.json()).toEqual({
      status: 'ok',
      model: 'isolation-forest',
      version: '1',
      trained_on: 1000,
    });
    expect((await fetch(`${base}/score`)).status).toBe(405);
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
  });
});
