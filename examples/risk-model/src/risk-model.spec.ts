import type { DeviceFeatures } from './features';
import { healthyFleet } from './fleet-baseline';
import { seededRandom } from './random';
import { RiskModel } from './risk-model';

const TYPICAL: DeviceFeatures = {
  managed: 1,
  disk_encrypted: 1,
  edr_running: 1,
  jailbroken: 0,
  untrusted_network: 0,
  patch_age_days: 3,
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

describe('RiskModel', () => {
  const model = new RiskModel();
  // Seed 7, not the model's 42: devices the forest has never seen.
  const freshHealthy = healthyFleet(20, seededRandom(7)).map((device) => model.score(device).score);

  it('scores 20 fresh healthy devices below 0.5, a typical one well below', () => {
    expect(Math.max(...freshHealthy)).toBeLessThan(0.5);
    expect(median(freshHealthy)).toBeLessThan(0.3);
    expect(model.score(TYPICAL).score).toBeLessThan(0.3);
  });

  it('scores a clearly anomalous device above 0.9 and says why', () => {
    const answer = model.score(ANOMALOUS);
    expect(answer.score).toBeGreaterThan(0.9);
    expect(answer.explanation).toEqual([
      'jailbroken = 1, fleet baseline 0',
      expect.stringMatching(/^patch_age_days = 200, fleet 99th percentile \d+$/),
      expect.stringMatching(/^failed_logins_24h = 30, fleet 99th percentile \d+$/),
    ]);
  });

  it('puts a single weakness between the healthy median and the anomaly', () => {
    const stale = model.score({ ...TYPICAL, patch_age_days: 90 });
    expect(stale.score).toBeGreaterThan(median(freshHealthy));
    expect(stale.score).toBeLessThan(model.score(ANOMALOUS).score);
    expect(stale.explanation).toEqual([expect.stringMatching(/^patch_age_days = 90, fleet 99th percentile/)]);
  });

  it.each<[string, Partial<DeviceFeatures>]>([
    ['unmanaged', { managed: 0 }],
    ['without EDR', { edr_running: 0 }],
    ['on an untrusted network', { untrusted_network: 1 }],
    ['with 30 failed sign-ins', { failed_logins_24h: 30 }],
  ])('scores a device %s above the healthy median and below the anomaly', (_, weakness) => {
    const { score } = model.score({ ...TYPICAL, ...weakness });
    expect(score).toBeGreaterThan(median(freshHealthy));
    expect(score).toBeLessThan(model.score(ANOMALOUS).score);
  });

  it('scores a device that is only jailbroken above 0.5', () => {
    expect(model.score({ ...TYPICAL, jailbroken: 1 }).score).toBeGreaterThan(0.5);
  });

  it('scores a count higher the further it lies beyond the fleet', () => {
    const at = (change: Partial<DeviceFeatures>) => model.score({ ...TYPICAL, ...change }).score;
    expect(at({ patch_age_days: 365 })).toBeGreaterThan(at({ patch_age_days: 90 }));
    expect(at({ failed_logins_24h: 1000 })).toBeGreaterThan(at({ failed_logins_24h: 30 }));
  });

  it('maps the fleet 99th percentile to 0.5 and the fleet maximum to 0.75', () => {
    // The model draws its fleet first from seed 42, so this is the fleet it was trained on.
    const trainingFleet = healthyFleet(model.trainedOn, seededRandom(42));
    const byRaw = trainingFleet.map((device) => ({ raw: model.rawScore(device), device }));
    const atQ99 = byRaw.find(({ raw }) => raw === model.calibration.q99);
    const atMax = byRaw.find(({ raw }) => raw === model.calibration.max);
    expect(atQ99 && model.score(atQ99.device).score).toBe(0.5);
    expect(atMax && model.score(atMax.device).score).toBe(0.75);
    const aboveHalf = byRaw.filter(({ device }) => model.score(device).score > 0.5).length;
    expect(aboveHalf / trainingFleet.length).toBeLessThanOrEqual(0.01);
  });

  it('stays inside [0, 1] at the ends of the domains', () => {
    const worst = { ...ANOMALOUS, patch_age_days: 3650, failed_logins_24h: 100_000 };
    const best = { ...TYPICAL, patch_age_days: 0 };
    for (const device of [worst, best]) {
      const { score } = model.score(device);
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
    }
    expect(model.score(worst).score).toBeGreaterThan(0.9);
  });

  it('answers the same for the same seed, and names itself', () => {
    const again = new RiskModel();
    expect(again.score(ANOMALOUS)).toEqual(model.score(ANOMALOUS));
    expect(again.trainedOn).toBe(2000);
    expect(model.score(TYPICAL)).toMatchObject({ model: 'isolation-forest', version: '1', explanation: [] });
  });
});
