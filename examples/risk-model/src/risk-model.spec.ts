import type { DeviceFeatures } from './features';
import { healthyFleet } from './fleet-baseline';
import { IsolationForest } from './isolation-forest';
import { seededRandom } from './random';
import { RiskModel } from './risk-model';

const HEALTHY: DeviceFeatures = {
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

describe('seededRandom', () => {
  it('repeats for a seed and differs between seeds', () => {
    const a = seededRandom(1);
    const b = seededRandom(1);
    const c = seededRandom(2);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect([c(), c(), c()]).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});

describe('IsolationForest', () => {
  it('gives outliers higher scores than the points it was trained on', () => {
    const random = seededRandom(3);
    const cluster = Array.from({ length: 500 }, () => [random(), random()]);
    const forest = IsolationForest.train(
      cluster,
      [
        { min: 0, max: 10 },
        { min: 0, max: 10 },
      ],
      {
        trees: 50,
        sampleSize: 128,
        maxDepth: 10,
        random,
      },
    );
    const inside = forest.rawScore([0.5, 0.5]);
    expect(forest.rawScore([9, 9])).toBeGreaterThan(inside);
    expect(forest.rawScore([0.5, 8])).toBeGreaterThan(inside);
  });
});

describe('RiskModel', () => {
  const model = new RiskModel();

  it('scores fresh healthy devices below one half', () => {
    const scores = healthyFleet(20, seededRandom(7))
      .filter((d) => d.jailbroken === 0)
      .map((d) => model.score(d).score);
    expect(scores.length).toBeGreaterThan(15);
    expect(Math.max(...scores)).toBeLessThan(0.5);
  });

  it('scores a clearly anomalous device above 0.9 and says why', () => {
    const answer = model.score(ANOMALOUS);
    expect(answer.score).toBeGreaterThan(0.9);
    expect(answer.explanation).toEqual(
      expect.arrayContaining([
        'jailbroken = 1, fleet baseline 0',
        expect.stringMatching(/^patch_age_days = 200, fleet 99th percentile \d+$/),
        expect.stringMatching(/^failed_logins_24h = 30, fleet 99th percentile \d+$/),
      ]),
    );
  });

  it('puts a single weakness between the healthy median and the anomaly', () => {
    const healthyMedian = model.score(HEALTHY).score;
    const stale = model.score({ ...HEALTHY, patch_age_days: 90 }).score;
    expect(stale).toBeGreaterThan(healthyMedian);
    expect(stale).toBeLessThan(model.score(ANOMALOUS).score);
    expect(model.score(HEALTHY).explanation).toEqual([]);
  });

  it('is deterministic for a seed', () => {
    expect(new RiskModel().score(ANOMALOUS)).toEqual(model.score(ANOMALOUS));
  });
});
