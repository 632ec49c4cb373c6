import { DEFAULT_RETRY, parseRetryAfter, retryDelay } from './retry.js';

const half = () => 0.5;

describe('retryDelay', () => {
  it('retries an idempotent call after a network failure, with growing backoff', () => {
    const first = retryDelay({ kind: 'network' }, 0, true, DEFAULT_RETRY, 10_000, half);
    const second = retryDelay({ kind: 'network' }, 1, true, DEFAULT_RETRY, 10_000, half);
    expect(first).toBe(38);
    expect(second).toBe(75);
  });

  it('never retries a non-idempotent call after a network failure: it may have been applied', () => {
    expect(retryDelay({ kind: 'network' }, 0, false, DEFAULT_RETRY, 10_000)).toBeUndefined();
  });

  it('honours Retry-After on 429 and 503, for any call', () => {
    const limited = { kind: 'status', status: 429, retryAfterSeconds: 1 } as const;
    expect(retryDelay(limited, 0, false, DEFAULT_RETRY, 10_000)).toBe(1000);
    expect(retryDelay({ ...limited, status: 503 }, 0, true, DEFAULT_RETRY, 10_000)).toBe(1000);
  });

  it('does not retry a non-idempotent 503 without Retry-After', () => {
    expect(retryDelay({ kind: 'status', status: 503 }, 0, false, DEFAULT_RETRY, 10_000)).toBeUndefined();
  });

  it('gives up when Retry-After is longer than allowed or than the deadline left', () => {
    const later = { kind: 'status', status: 503, retryAfterSeconds: 5 } as const;
    expect(retryDelay(later, 0, true, DEFAULT_RETRY, 60_000)).toBeUndefined();
    const soon = { kind: 'status', status: 503, retryAfterSeconds: 1 } as const;
    expect(retryDelay(soon, 0, true, DEFAULT_RETRY, 900)).toBeUndefined();
  });

  it('does not retry other statuses, a passed deadline, or beyond the attempts allowed', () => {
    expect(retryDelay({ kind: 'status', status: 500 }, 0, true, DEFAULT_RETRY, 10_000)).toBeUndefined();
    expect(retryDelay({ kind: 'status', status: 400 }, 0, true, DEFAULT_RETRY, 10_000)).toBeUndefined();
    expect(retryDelay({ kind: 'deadline' }, 0, true, DEFAULT_RETRY, 10_000)).toBeUndefined();
    expect(retryDelay({ kind: 'network' }, 2, true, DEFAULT_RETRY, 10_000)).toBeUndefined();
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:03 GMT', now)).toBe(3);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
