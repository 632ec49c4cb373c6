import type { DeviceRiskData } from '@zt/contracts';
import type { DecisionRequest, DecisionResult } from '@zt/policy-engine';
import { applyRestriction, deviceRestriction, postureFacts, withDeviceFacts } from './device-facts';

const now = new Date('2026-11-23T10:00:00Z');
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
    signals: { managed: false },
    observedAt: '2026-11-23T09:58:00.000Z',
  };

  it('adds the stored posture and the risk score on the engine scale', () => {
    const out = withDeviceFacts(
      request({ id: 'laptop-1', posture: 'compliant' }),
      { posture, risk: risk() },
      now,
    );
    expect((out.context?.device as { posture: { managed: boolean } }).posture.managed).toBe(false);
    expect(out.context?.risk_score).toBe(82);
  });

  it('keeps the request facts when they were observed later than the stored ones', () => {
    const fresher = request({ id: 'laptop-1', posture: 'compliant', observed_at: '2026-11-23T09:59:00Z' });
    const out = withDeviceFacts(
      { ...fresher, context: { ...fresher.context, risk_score: 5 } },
      { posture, risk: risk() },
      now,
    );
    expect((out.context?.device as { posture: unknown }).posture).toBe('compliant');
    expect(out.context?.risk_score).toBe(5);
  });

  it('does not believe observations claimed from the future', () => {
    const claimed = request({ id: 'laptop-1', posture: 'compliant', observed_at: '2027-01-01T00:00:00Z' });
    expect(withDeviceFacts(claimed, { posture }, now).context?.device).toMatchObject({
      posture: { managed: false },
    });
  });

  it('leaves the request alone without a stored state or without a score', () => {
    const r = request();
    expect(withDeviceFacts(r, undefined, now)).toBe(r);
    expect(withDeviceFacts(r, { risk: risk({ score: null }) }, now).context?.risk_score).toBeUndefined();
  });
});

describe('deviceRestriction and applyRestriction', () => {
  it('restricts a risky device with a reason that says what would change it', () => {
    const restriction = deviceRestriction(request(), { risk: risk() }, 'deny', now);
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
    const isolate = deviceRestriction(request(), { risk: risk() }, 'isolate', now);
    expect(applyRestriction(allowed, isolate).decision).toBe('isolate');
    const denied = { ...allowed, decision: 'deny' as const };
    const out = applyRestriction(denied, isolate);
    expect(out.decision).toBe('deny');
    expect(out.decidingPolicies).toEqual(denied.decidingPolicies);
    expect(out.reasons).toHaveLength(2);
  });

  it('imposes nothing on an unrestricted device, and names a model failure', () => {
    expect(deviceRestriction(request(), { risk: risk({ restricted: false }) }, 'deny', now)).toBeUndefined();
    expect(applyRestriction(allowed, undefined)).toBe(allowed);
    const failed = risk({ score: null, failure: 'timeout', explanation: ['risk model failed (timeout)'] });
    expect(deviceRestriction(request(), { risk: failed }, 'deny', now)?.admin).toMatch(
      /risk model failed \(timeout\)/,
    );
  });
});
