import { MemoryCache } from '@zt/cache';
import type { AppConfig } from '@zt/config';
import { ProblemError } from '@zt/http';
import { Registry } from 'prom-client';
import { RateLimiter } from './rate-limiter';

function limiter(perSecond: number): RateLimiter {
  return new RateLimiter(
    new MemoryCache(),
    { RATE_LIMIT_PER_SECOND: perSecond } as AppConfig,
    new Registry(),
  );
}

async function problemOf(promise: Promise<unknown>): Promise<ProblemError | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof ProblemError) return error;
    throw error;
  }
}

describe('RateLimiter batches', () => {
  // One fixed one-second window, so no test depends on where the clock falls.
  beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(1_800_000_000_000));
  afterEach(() => jest.restoreAllMocks());

  it('refuses a batch larger than the limit with 413 naming the entries, without running it', async () => {
    const limits = limiter(5);
    const work = jest.fn(() => Promise.resolve('ran'));
    const problem = await problemOf(limits.chargeBatch('pep', 6, '/evaluations', work));
    expect(problem?.status).toBe(413);
    expect(problem?.extra.errors).toEqual([
      { pointer: '/evaluations', detail: 'must have at most 5 entries (RATE_LIMIT_PER_SECOND)' },
    ]);
    expect(work).not.toHaveBeenCalled();
    // Nothing was charged for it: the caller still has its whole window.
    await expect(limits.chargeBatch('pep', 5, '/evaluations', work)).resolves.toBe('ran');
  });

  it('charges the whole batch at once and refuses one that does not fit with 429 and Retry-After', async () => {
    const limits = limiter(5);
    await limits.check('pep');
    await limits.check('pep');
    const work = jest.fn(() => Promise.resolve('ran'));
    const problem = await problemOf(limits.chargeBatch('pep', 4, '/evaluations', work));
    expect(problem?.status).toBe(429);
    expect(problem?.extra.headers).toEqual({ 'retry-after': '1' });
    expect(work).not.toHaveBeenCalled();
    // Another caller has its own window.
    await expect(limits.chargeBatch('other', 5, '/evaluations', work)).resolves.toBe('ran');
  });

  it('does not count the entries of an admitted batch a second time', async () => {
    const limits = limiter(3);
    await limits.chargeBatch('pep', 3, '/evaluations', async () => {
      for (let i = 0; i < 3; i++) await limits.check('pep');
    });
    // The window is full (3 of 3), not over-full: the next single call is the one refused.
    expect((await problemOf(limits.check('pep')))?.status).toBe(429);
  });

  it('charges nothing and refuses nothing when there is no limit', async () => {
    const limits = limiter(0);
    await expect(limits.chargeBatch('pep', 100, '/evaluations', () => Promise.resolve('ran'))).resolves.toBe(
      'ran',
    );
  });
});
