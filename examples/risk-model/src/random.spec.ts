import { seededRandom } from './random';

const draw = (seed: number, count: number) => {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => random());
};

describe('seededRandom', () => {
  it('repeats the same sequence for the same seed', () => {
    expect(draw(42, 100)).toEqual(draw(42, 100));
  });

  it('gives a different sequence for another seed', () => {
    expect(draw(43, 100)).not.toEqual(draw(42, 100));
  });

  it('draws uniformly from [0, 1)', () => {
    const values = draw(1, 20_000);
    expect(values.every((x) => x >= 0 && x < 1)).toBe(true);
    const mean = values.reduce((sum, x) => sum + x, 0) / values.length;
    expect(mean).toBeCloseTo(0.5, 1);
    const lowQuarter = values.filter((x) => x < 0.25).length / values.length;
    expect(lowQuarter).toBeGreaterThan(0.23);
    expect(lowQuarter).toBeLessThan(0.27);
  });
});
