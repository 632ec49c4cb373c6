import { ThrottledWarning } from './throttled-warning';

describe('ThrottledWarning', () => {
  it('writes the first warning, then one per interval counting those held back', () => {
    const written: string[] = [];
    let now = 0;
    const warning = new ThrottledWarning(
      (m) => written.push(m),
      10_000,
      () => now,
    );
    warning.warn('redis down');
    for (let i = 0; i < 500; i++) warning.warn('redis down');
    now = 9_999;
    warning.warn('redis down');
    expect(written).toEqual(['redis down']);
    now = 10_000;
    warning.warn('redis still down');
    expect(written).toEqual(['redis down', 'redis still down (501 more like it in the last 10 s)']);
    now = 30_000;
    warning.warn('redis down again');
    expect(written[2]).toBe('redis down again');
  });
});
