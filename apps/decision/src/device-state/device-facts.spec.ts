import type { DeviceRiskData } from '@zt/contracts';
import type { DecisionRequest, DecisionResult } from '@zt/policy-engine';
import {
  applyRestriction,
  deviceRestriction,
  postureFacts,
  stricterPosture,
  withDeviceFacts,
} from './device-facts';

const request = (device: Record<string, unknown> = { id: 'laptop-1' }): DecisionRequest => ({
  subject: { id: 'alice' },
  action: 'read',
  resource: { id: 'gitlab.repo' },
  context: { device },
});
const risk = (over: Partial<DeviceRiskData> = {}): DeviceRiskData => ({
  deviceId: 'laptop-1',
  score: 0.82,
  model: 'isolation-forest@1',
  threshold: 0.75,
  restricted: true,
  explanation: ['jailbroken = 1, fleet baseline 0'],
  observedAt: '2026-11-23T09:58:00.000Z',
  at: '2026-11-23T09:58:01.000Z',
  ...over,
});
const allowed: DecisionResult = {
  decision: 'allow',
  decidingPolicies: [{ id: 'p1', version: 1 }],
  reasons: ['allowed by p1'],
  userReasons: [],
  obligations: [{ type: 'session', policyId: 'p1', maxDurationSeconds: 3600 }],
  audit: [],
  candidates: [],
};

describe('postureFacts', () => {
  it('derives the seed 001 checks and compliance from signals', () => {
    expect(
      postureFacts({
        managed: true,
        disk_encrypted: true,
        edr_running: true,
        os_name: 'macOS',
        os_version: '14.2',
      }),
    ).toEqual({
      managed: true,
      encryptionEnabled: true,
      edrInstalled: true,
      jailbroken: false,
      osVersion: 'macOS 14.2',
      compliant: true,
    });
    expect(
      postureFacts({ managed: true, disk_encrypted: true, edr_running: true, jailbroken: true }).compliant,
    ).toBe(false);
    expect(postureFacts({ compliant: true }).compliant).toBe(true);
  });
});

describe('withDeviceFacts', () => {
  const posture = {
    deviceId: 'laptop-1',
    signals: { managed: true, disk_encrypted: true, edr_running: true },
    observedAt: '2026-11-23T09:58:00.000Z',
  };
  const pep = { requestMayAdd: true };
  const itself = { requestMayAdd: false };
  const postureOf = (out: DecisionRequest) => (out.context?.device as { posture?: unknown }).posture;
  const withContext = (context: Record<string, unknown>): DecisionRequest => ({ ...request(), context });

  it('adds the stored posture and the risk score on the engine scale', () => {
    const out = withDeviceFacts(request(), { posture, risk: risk() }, pep);
    expect(postureOf(out)).toMatchObject({ managed: true, compliant: true });
    expect(out.context?.risk_score).toBe(82);
  });

  it('never lets request facts improve on the stored ones, however recent they claim to be', () => {
    const claimed = {
      id: 'laptop-1',
      posture: { managed: true, compliant: true, jailbroken: false },
      observed_at: '2026-11-23T09:59:59Z',
    };
    const unmanaged = { ...posture, signals: { managed: false, jailbroken: true } };
    const out = withDeviceFacts(
      withContext({ device: claimed, risk_score: 5 }),
      { posture: unmanaged, risk: risk() },
      pep,
    );
    expect(postureOf(out)).toMatchObject({ managed: false, compliant: false, jailbroken: true });
    expect(out.context?.risk_score).toBe(82);
    const word = withDeviceFacts(
      request({ id: 'laptop-1', posture: 'compliant' }),
      { posture: unmanaged },
      pep,
    );
    expect(postureOf(word)).toMatchObject({ compliant: false });
    const alias = withDeviceFacts(
      withContext({ device: { id: 'laptop-1' }, device_posture: 'compliant' }),
      { posture: unmanaged },
      pep,
    );
    expect(alias.context?.device_posture).toBeUndefined();
    expect(postureOf(alias)).toMatchObject({ compliant: false });
  });

  it('lets request facts make the stored ones stricter: a worse flag, a higher risk', () => {
    const out = withDeviceFacts(
      withContext({
        device: { id: 'laptop-1', posture: { compliant: false, jailbroken: true } },
        risk_score: 95,
      }),
      { posture, risk: risk() },
      itself,
    );
    expect(postureOf(out)).toMatchObject({ managed: true, compliant: false, jailbroken: true });
    expect(out.context?.risk_score).toBe(95);
  });

  it("adds the facts a pep knows and nobody stored, but drops a caller's own unvouched claims", () => {
    const claimed = withContext({ device: { id: 'laptop-9', posture: 'compliant' }, risk_score: 3 });
    const fromPep = withDeviceFacts(claimed, undefined, pep);
    expect(postureOf(fromPep)).toBe('compliant');
    expect(fromPep.context?.risk_score).toBe(3);
    const fromItself = withDeviceFacts(claimed, undefined, itself);
    expect(postureOf(fromItself)).toBeUndefined();
    expect(fromItself.context).not.toHaveProperty('risk_score');
    expect(fromItself.context?.device).toEqual({ id: 'laptop-9' });
    const extra = withDeviceFacts(
      request({ id: 'laptop-1', posture: { firewall: true } }),
      { posture },
      itself,
    );
    expect(postureOf(extra)).not.toHaveProperty('firewall');
    expect(
      postureOf(withDeviceFacts(request({ id: 'laptop-1', posture: { firewall: true } }), { posture }, pep)),
    ).toMatchObject({ firewall: true });
  });

  it("holds a caller asking about itself to its token's posture claim", () => {
    const upgraded = withDeviceFacts(request({ id: 'laptop-9', posture: 'compliant' }), undefined, {
      tokenPosture: 'unmanaged',
      requestMayAdd: false,
    });
    expect(postureOf(upgraded)).toBe('unmanaged');
    const claimed = withDeviceFacts(request(), undefined, {
      tokenPosture: 'compliant',
      requestMayAdd: false,
    });
    expect(postureOf(claimed)).toBe('compliant');
  });

  it('leaves the request alone without any device facts, and ignores a failed score', () => {
    const r = request();
    expect(withDeviceFacts(r, undefined, itself)).toBe(r);
    expect(withDeviceFacts(r, { risk: risk({ score: null }) }, pep).context?.risk_score).toBeUndefined();
  });
});

describe('stricterPosture', () => {
  it('takes the worse value of each flag both name, and keeps the trusted word', () => {
    expect(
      stricterPosture({ managed: true, jailbroken: false }, { managed: false, jailbroken: true }, false),
    ).toEqual({
      managed: false,
      jailbroken: true,
    });
    expect(stricterPosture({ managed: false }, { managed: true }, true)).toEqual({ managed: false });
    expect(stricterPosture({ osVersion: 'macOS 13.0' }, { osVersion: 'macOS 15.0' }, true)).toEqual({
      osVersion: 'macOS 13.0',
    });
    expect(stricterPosture('compliant', { managed: false }, true)).toBe('compliant');
    expect(stricterPosture({ managed: true }, 'compliant', true)).toEqual({ managed: true });
  });
});

describe('deviceRestriction and applyRestriction', () => {
  it('restricts a risky device with a reason that says what would change it', () => {
    const restriction = deviceRestriction({ risk: risk() }, 'deny');
    expect(restriction?.admin).toMatch(/risk 0.82 above 0.75; allowed at or below 0.75/);
    expect(restriction?.admin).toMatch(/jailbroken/);
    const result = applyRestriction(allowed, restriction);
    expect(result.decision).toBe('deny');
    expect(result.decidingPolicies).toEqual([]);
    expect(result.obligations).toEqual([]);
    expect(result.reasons[0]).toBe(restriction?.admin);
    expect(result.userReasons[0]).toMatch(/too risky/);
  });

  it('isolates when configured, but never weakens a stricter policy result', () => {
    const isolate = deviceRestriction({ risk: risk() }, 'isolate');
    expect(applyRestriction(allowed, isolate).decision).toBe('isolate');
    const denied = { ...allowed, decision: 'deny' as const };
    const out = applyRestriction(denied, isolate);
    expect(out.decision).toBe('deny');
    expect(out.decidingPolicies).toEqual(denied.decidingPolicies);
    expect(out.reasons).toHaveLength(2);
  });

  it('imposes nothing on an unrestricted device, and names a model failure', () => {
    expect(deviceRestriction({ risk: risk({ restricted: false }) }, 'deny')).toBeUndefined();
    expect(applyRestriction(allowed, undefined)).toBe(allowed);
    const failed = risk({ score: null, failure: 'timeout', explanation: ['risk model failed (timeout)'] });
    expect(deviceRestriction({ risk: failed }, 'deny')?.admin).toMatch(/risk model failed \(timeout\)/);
  });
});
