import { percentile } from './percentile';

describe('percentile (nearest rank)', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it.each([
    [0.01, 1],
    [0.5, 50],
    [0.99, 99],
    [1, 100],
    [0, 1],
  ])('the %s percentile of 1..100 is %s', (p, expected) => {
    expect(percentile(oneToHundred, p)).toBe(expected);
  });

  it('is an observed value', () => {
    expect(percentile([3, 10], 0.5)).toBe(3);
    expect(percentile([7], 0.99)).toBe(7);
  });

  it('refuses no values', () => {
    expect(() => percentile([], 0.5)).toThrow();
  });
});
