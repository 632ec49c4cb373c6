import { averagePathLength, IsolationForest } from './isolation-forest';
import { percentile } from './percentile';
import { Random, seededRandom } from './random';

/** Roughly normal (sum of uniforms), centred on `centre` with the given spread. */
function around(random: Random, centre: number, spread: number): number {
  return centre + spread * (random() + random() + random() - 1.5);
}

describe('averagePathLength', () => {
  it('matches the values of the paper', () => {
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    // c(256) ≈ 10.24: the normaliser of the paper's default sample size.
    expect(averagePathLength(256)).toBeCloseTo(10.24, 2);
  });
});

describe('IsolationForest', () => {
  const random = seededRandom(3);
  const cluster = Array.from({ length: 1000 }, () => [around(random, 5, 1), around(random, 5, 1)]);
  const forest = IsolationForest.train(cluster, { trees: 100, sampleSize: 256, random });
  const trainingScores = cluster.map((x) => forest.rawScore(x)).sort((a, b) => a - b);

  it('scores outliers higher than the points it was trained on', () => {
    const outliers = [
      [9, 9],
      [1, 1],
      [5, 9.5],
      [0.5, 5],
    ];
    const ninetiethPercentile = percentile(trainingScores, 0.9);
    for (const outlier of outliers) expect(forest.rawScore(outlier)).toBeGreaterThan(ninetiethPercentile);
  });

  it('scores normal points well under 0.5 and a far outlier above it', () => {
    expect(percentile(trainingScores, 0.5)).toBeLessThan(0.5);
    expect(forest.rawScore([5, 5])).toBeLessThan(0.5);
    expect(forest.rawScore([20, -20])).toBeGreaterThan(0.5);
  });

  it('isolates a value the training data never shows when given the domains', () => {
    // The second feature is a flag every training point has at 0, like `jailbroken` in the fleet.
    const flagRandom = seededRandom(4);
    const flagged = Array.from({ length: 500 }, () => [around(flagRandom, 5, 1), 0]);
    const train = (domains?: { min: number; max: number }[]) =>
      IsolationForest.train(flagged, { trees: 100, sampleSize: 256, random: seededRandom(6), domains });
    const withDomains = train([
      { min: 0, max: 10 },
      { min: 0, max: 1 },
    ]);
    expect(withDomains.rawScore([5, 1])).toBeGreaterThan(withDomains.rawScore([5, 0]) + 0.1);
    // Without the domains the flag cannot be split, as in the paper: the point looks ordinary.
    const withoutDomains = train();
    expect(withoutDomains.rawScore([5, 1])).toBeCloseTo(withoutDomains.rawScore([5, 0]), 2);
  });

  it('grows the same forest from the same seed', () => {
    const grow = (seed: number) =>
      IsolationForest.train(cluster, { trees: 20, sampleSize: 64, random: seededRandom(seed) });
    expect(grow(8).rawScore([7, 3])).toBe(grow(8).rawScore([7, 3]));
    expect(grow(9).rawScore([7, 3])).not.toBe(grow(8).rawScore([7, 3]));
  });

  it('refuses to train on nothing', () => {
    expect(() => IsolationForest.train([], { trees: 1, sampleSize: 1, random })).toThrow();
  });
});
