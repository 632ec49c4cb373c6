// When a call may be tried again, and how long to wait: the pure part of the transports' retry loop.

/** How a client retries; every wait is bounded, and a retry never outlives the call's deadline. */
export interface RetryOptions {
  /** Attempts after the first (default 2). */
  retries: number;
  /** First backoff in ms when the server names no Retry-After (default 50); doubles each time, with jitter. */
  baseDelayMs: number;
  /** The longest wait honoured, from Retry-After or backoff (default 2000): a longer ask fails at once. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { retries: 2, baseDelayMs: 50, maxDelayMs: 2000 };

/** Statuses that mean "not now": the server did not act on the call. */
const RETRYABLE_STATUSES = new Set([429, 503]);

/** What happened on one attempt, as far as retrying is concerned. */
export type AttemptOutcome =
  { kind: 'status'; status: number; retryAfterSeconds?: number } | { kind: 'network' } | { kind: 'deadline' };

/**
 * The wait before the next attempt, or undefined when the call must not be retried.
 * Idempotent calls retry network failures, 429 and 503; others only a 429 or 503 that carries
 * Retry-After, where the server says it refused before acting. A Retry-After longer than
 * maxDelayMs, or a wait that would pass the deadline, ends the retries.
 */
export function retryDelay(
  outcome: AttemptOutcome,
  attempt: number,
  idempotent: boolean,
  options: RetryOptions,
  remainingMs: number,
  random: () => number = Math.random,
): number | undefined {
  if (attempt >= options.retries || outcome.kind === 'deadline') return undefined;
  let delay: number;
  if (outcome.kind === 'network') {
    if (!idempotent) return undefined;
    delay = backoff(attempt, options, random);
  } else {
    if (!RETRYABLE_STATUSES.has(outcome.status)) return undefined;
    if (outcome.retryAfterSeconds !== undefined) delay = outcome.retryAfterSeconds * 1000;
    else if (idempotent) delay = backoff(attempt, options, random);
    else return undefined;
  }
  if (delay > options.maxDelayMs || delay >= remainingMs) return undefined;
  return delay;
}

function backoff(attempt: number, options: RetryOptions, random: () => number): number {
  // Full jitter: replicas that failed together do not come back together.
  return Math.round(options.baseDelayMs * 2 ** attempt * (0.5 + random() / 2));
}

/** Retry-After in seconds (delta-seconds or an HTTP date), or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d{1,9}$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
