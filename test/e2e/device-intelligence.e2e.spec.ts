import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RiskModel } from '../../examples/risk-model/src/risk-model';
import { createRiskModelServer } from '../../examples/risk-model/src/server';
import { call, eventually } from '../support/http';
import { startStandaloneForTest, StandaloneUnderTest } from '../support/standalone';

type Decision = { decision: string; reasons: string[]; userReasons: string[] };
type Device = {
  risk: { score: number | null; restricted: boolean; failure?: string; explanation: string[] } | null;
};
type Problem = { errors: { pointer: string }[] };

const HEALTHY = {
  managed: true,
  disk_encrypted: true,
  edr_running: true,
  jailbroken: false,
  os_name: 'macOS',
  os_version: '14.5',
  network_type: 'corporate',
  patch_age_days: 3,
  failed_logins_24h: 0,
};
const ANOMALOUS = {
  managed: false,
  disk_encrypted: false,
  edr_running: false,
  jailbroken: true,
  network_type: 'public',
  patch_age_days: 210,
  failed_logins_24h: 40,
};

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('device intelligence with the reference risk model (standalone)', () => {
  let product: StandaloneUnderTest;
  let modelServer: Server;
  let hangingServer: Server;
  let modelUrl: string;
  let hangingUrl: string;
  let admin: string;
  let agent: string;
  let pep: string;
  let auditor: string;

  const integrate = (body: unknown, token = admin) =>
    call(product.url, 'POST', '/v1/zt-policy/device-intelligence/integrate', { token, body });
  const report = (body: unknown) =>
    call<{ accepted: number }>(product.url, 'POST', '/v1/zt-policy/device-intelligence/posture', {
      token: agent,
      body,
    });
  const decide = (deviceId: string) =>
    call<Decision>(product.url, 'POST', '/v1/zt-policy/decisions', {
      token: pep,
      body: {
        subject: { id: 'alice@company.com', groups: ['engineering'] },
        action: 'read',
        resource: { id: 'gitlab.repo' },
        context: { device: { id: deviceId } },
      },
    });
  /** Waits until the device's verdict (scored after `since`) is stored, then decides for it. */
  async function verdictThenDecision(
    deviceId: string,
    since: string,
    expected: string,
  ): Promise<{ device: Device; decision: Decision }> {
    const device = await eventually(async () => {
      const r = await call<Device & { risk: { at: string } | null }>(
        product.url,
        'GET',
        `/v1/zt-policy/device-intelligence/devices/${deviceId}`,
        { token: admin },
      );
      return r.status === 200 && r.body.risk && r.body.risk.at >= since ? r.body : undefined;
    });
    const decision = await eventually(async () => {
      const r = await decide(deviceId);
      // The decision service learns the verdict over the bus, a moment after device intelligence.
      const restrictionSeen = !device.risk?.restricted || r.body.reasons.some((x) => x.includes(deviceId));
      return r.body.decision === expected && restrictionSeen ? r.body : undefined;
    });
    return { device, decision };
  }

  beforeAll(async () => {
    modelServer = createRiskModelServer(new RiskModel());
    modelUrl = `${await listen(modelServer)}/score`;
    hangingServer = createServer(() => undefined);
    hangingUrl = `${await listen(hangingServer)}/score`;
    product = await startStandaloneForTest({
      MODEL_ALLOWED_HOSTS: '127.0.0.1',
      MODEL_SCORE_CACHE_SECONDS: '0',
    });
    admin = await product.issuer.mint({ sub: 'ines@company.com', roles: ['infra_admin', 'policy_admin'] });
    agent = await product.issuer.mint({ sub: 'agent-fleet', roles: ['device_agent'] });
    pep = await product.issuer.mint({ sub: 'gateway', roles: ['pep'] });
    auditor = await product.issuer.mint({ sub: 'audra@company.com', roles: ['auditor'] });
    const created = await call(product.url, 'POST', '/v1/zt-policy/policies', {
      token: admin,
      body: {
        id: 'pol_eng_gitlab',
        name: 'engineers read gitlab from compliant devices',
        subjects: ['group:engineering'],
        resources: ['gitlab.*'],
        actions: ['read'],
        conditions: { device_posture: 'compliant' },
        effect: 'allow',
      },
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await product?.stop();
    hangingServer?.closeAllConnections();
    await new Promise((resolve) => hangingServer?.close(resolve));
    await new Promise((resolve) => modelServer?.close(resolve));
  });

  it('validates the integration: scheme, allowed hosts, threshold, role', async () => {
    const bad = await integrate({ model_url: 'file:///etc/passwd', threshold: 0.75 });
    expect(bad.status).toBe(400);
    expect((bad.body as Problem).errors[0].pointer).toBe('/model_url');
    const ssrf = await integrate({ model_url: 'http://169.254.169.254/latest', threshold: 0.75 });
    expect(ssrf.status).toBe(400);
    const threshold = await integrate({ model_url: modelUrl, threshold: 7, on_failure: 'maybe' });
    expect((threshold.body as Problem).errors.map((e) => e.pointer).sort()).toEqual([
      '/on_failure',
      '/threshold',
    ]);
    expect((await integrate({ model_url: modelUrl, threshold: 0.75 }, pep)).status).toBe(403);
    expect(
      (await call(product.url, 'GET', '/v1/zt-policy/device-intelligence/integrate', { token: admin }))
        .status,
    ).toBe(404);
  });

  it('validates posture reports and names the bad field', async () => {
    const one = await report({ device_id: 'x', signals: { patch_age_days: -1 } });
    expect(one.status).toBe(400);
    expect((one.body as unknown as Problem).errors[0].pointer).toBe('/signals/patch_age_days');
    const many = await report([{ device_id: 'ok', signals: {} }, { signals: {} }]);
    expect((many.body as unknown as Problem).errors[0].pointer).toBe('/1/device_id');
    const future = await report({ device_id: 'x', signals: {}, observed_at: '2999-01-01T00:00:00Z' });
    expect((future.body as unknown as Problem).errors[0].pointer).toBe('/observed_at');
  });

  it('allows a healthy device and restricts an anomalous one, naming its risk', async () => {
    const set = await integrate({ model_url: modelUrl, threshold: 0.75 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      model_url: modelUrl,
      threshold: 0.75,
      on_failure: 'deny',
      updated_by: 'ines@company.com',
    });
    const since = new Date().toISOString();
    expect(
      (
        await report([
          { device_id: 'laptop-ok', signals: HEALTHY },
          { device_id: 'laptop-bad', signals: ANOMALOUS },
        ])
      ).body,
    ).toMatchObject({
      accepted: 2,
    });

    const healthy = await verdictThenDecision('laptop-ok', since, 'allow');
    expect(healthy.device.risk).toMatchObject({ restricted: false });
    expect(healthy.device.risk!.score).toBeLessThan(0.75);
    expect(healthy.decision.decision).toBe('allow');

    const risky = await verdictThenDecision('laptop-bad', since, 'deny');
    expect(risky.device.risk).toMatchObject({ restricted: true });
    expect(risky.device.risk!.score).toBeGreaterThan(0.75);
    expect(risky.decision.decision).toBe('deny');
    expect(risky.decision.reasons[0]).toMatch(
      /device laptop-bad risk 0\.\d+ above 0.75; allowed at or below 0.75/,
    );
    expect(risky.decision.userReasons[0]).toMatch(/too risky/);
  });

  it('flips the same device from allowed to restricted when its posture turns anomalous', async () => {
    const since = new Date().toISOString();
    await report({ device_id: 'laptop-ok', signals: ANOMALOUS });
    const flipped = await verdictThenDecision('laptop-ok', since, 'deny');
    expect(flipped.device.risk).toMatchObject({ restricted: true });
    expect(flipped.decision.decision).toBe('deny');
    const back = new Date().toISOString();
    await report({ device_id: 'laptop-ok', signals: HEALTHY });
    const healed = await verdictThenDecision('laptop-ok', back, 'allow');
    expect(healed.device.risk).toMatchObject({ restricted: false });
    expect(healed.decision.decision).toBe('allow');
  });

  it('follows on_failure when the model hangs: deny restricts, allow lets the posture decide', async () => {
    expect(
      (await integrate({ model_url: hangingUrl, threshold: 0.75, timeout_ms: 200, on_failure: 'deny' }))
        .status,
    ).toBe(200);
    let since = new Date().toISOString();
    await report({ device_id: 'laptop-2', signals: HEALTHY });
    const denied = await verdictThenDecision('laptop-2', since, 'deny');
    expect(denied.device.risk).toMatchObject({ restricted: true, failure: 'timeout', score: null });
    expect(denied.decision.decision).toBe('deny');
    expect(denied.decision.reasons[0]).toMatch(/risk model failed \(timeout/);

    expect(
      (await integrate({ model_url: hangingUrl, threshold: 0.75, timeout_ms: 200, on_failure: 'allow' }))
        .status,
    ).toBe(200);
    since = new Date().toISOString();
    await report({ device_id: 'laptop-3', signals: HEALTHY });
    const allowed = await verdictThenDecision('laptop-3', since, 'allow');
    expect(allowed.device.risk).toMatchObject({ restricted: false, failure: 'timeout' });
    expect(allowed.decision.decision).toBe('allow');

    const ready = await call<{ checks: Record<string, { detail: Record<string, unknown> }> }>(
      product.url,
      'GET',
      '/readyz',
    );
    expect(ready.body.checks['risk-model'].detail).toMatchObject({
      integrated: true,
      lastFailure: { reason: 'timeout' },
    });
  });

  it('audits every integration change and risk verdict', async () => {
    expect(
      (await call(product.url, 'DELETE', '/v1/zt-policy/device-intelligence/integrate', { token: admin }))
        .status,
    ).toBe(204);
    const changes = await eventually(async () => {
      const page = await call<{ items: { type: string; actor: string }[] }>(
        product.url,
        'GET',
        '/v1/zt-policy/audit/events?type=com.zt.device.integration.set',
        { token: auditor },
      );
      return page.body.items.length >= 3 ? page.body.items : undefined;
    });
    expect(changes.every((c) => c.actor === 'ines@company.com')).toBe(true);
    await eventually(async () => {
      const removed = await call<{ items: unknown[] }>(
        product.url,
        'GET',
        '/v1/zt-policy/audit/events?type=com.zt.device.integration.removed',
        { token: auditor },
      );
      return removed.body.items.length === 1 ? true : undefined;
    });
    const risk = await eventually(async () => {
      const page = await call<{ items: { payload: { restricted: boolean } }[] }>(
        product.url,
        'GET',
        '/v1/zt-policy/audit/events?type=com.zt.device.risk&deviceId=laptop-bad',
        { token: auditor },
      );
      return page.body.items.length > 0 ? page.body.items : undefined;
    });
    expect(risk[0].payload.restricted).toBe(true);
  });
});
