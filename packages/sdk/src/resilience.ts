// One call with a deadline, bounded retries and a circuit breaker: shared by the HTTP and gRPC
// transports so both fail the same way and the enforcement point has one error to handle.
import {
  BrokenCircuitError,
  circuitBreaker,
  ConsecutiveBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import { ZtProblemError, ZtUnavailableError } from './errors.js';
import { type AttemptOutcome, DEFAULT_RETRY, retryDelay, type RetryOptions } from './retry.js';

/** A failed attempt, classified for retrying and for the breaker. */
export class AttemptFailure extends Error {
  constructor(
    readonly outcome: AttemptOutcome,
    /** What the caller gets when no retry follows. */
    readonly final: Error,
  ) {
    super(final.message, { cause: final });
  }
}

/** How long the breaker stays open, and after how many consecutive failures it opens. */
export interface BreakerOptions {
  /** Consecutive failed calls (unreachable, too slow, 5xx) that open the circuit (default 5). */
  consecutiveFailures: number;
  /** How long an open circuit refuses calls before letting one through (default 5000 ms). */
  halfOpenAfterMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = { consecutiveFailures: 5, halfOpenAfterMs: 5000 };

/** Failures that say the server is in trouble; a refusal (4xx, 503 with Retry-After) does not count. */
function isServerTrouble(error: Error): boolean {
  if (!(error instanceof AttemptFailure)) return false;
  const { outcome } = error;
  if (outcome.kind !== 'status') return true;
  return outcome.status >= 500 && !(outcome.status === 503 && outcome.retryAfterSeconds !== undefined);
}

/** A circuit breaker over the calls of one client. */
export function createBreaker(options: BreakerOptions): CircuitBreakerPolicy {
  return circuitBreaker(handleWhen(isServerTrouble), {
    halfOpenAfter: options.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(options.consecutiveFailures),
  });
}

/** How one call may be made. */
export interface CallLimits {
  timeoutMs: number;
  idempotent: boolean;
  signal?: AbortSignal;
  retry?: RetryOptions;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', abort);
      done();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      fail(signal.reason as Error);
    };
    signal.addEventListener('abort', abort, { once: true });
  });
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the deadline passes. `attempt` gets the
 * call's signal (deadline and caller's cancellation together) and throws AttemptFailure to be
 * classified; anything else it throws ends the call as it is.
 */
export async function resilientCall<T>(
  breaker: CircuitBreakerPolicy,
  limits: CallLimits,
  attempt: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const deadline = Date.now() + limits.timeoutMs;
  const timeout = AbortSignal.timeout(limits.timeoutMs);
  const signal = limits.signal ? AbortSignal.any([timeout, limits.signal]) : timeout;
  for (let tries = 0; ; tries++) {
    try {
      return await breaker.execute(() => attempt(signal));
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        throw new ZtUnavailableError(
          'The decision point circuit is open after repeated failures',
          'circuit_open',
          {
            cause: error,
          },
        );
      }
      if (limits.signal?.aborted) throw limits.signal.reason;
      if (!(error instanceof AttemptFailure)) throw error;
      const outcome: AttemptOutcome = timeout.aborted ? { kind: 'deadline' } : error.outcome;
      const delay = retryDelay(
        outcome,
        tries,
        limits.idempotent,
        limits.retry ?? DEFAULT_RETRY,
        deadline - Date.now(),
      );
      if (delay === undefined) throw finalError(error, outcome, limits.timeoutMs);
      await sleep(delay, signal).catch(() => {
        throw finalError(error, { kind: 'deadline' }, limits.timeoutMs);
      });
    }
  }
}

function finalError(failure: AttemptFailure, outcome: AttemptOutcome, timeoutMs: number): Error {
  if (outcome.kind === 'deadline') {
    return new ZtUnavailableError(`No answer within the deadline (${timeoutMs} ms)`, 'deadline', {
      cause: failure.final,
    });
  }
  if (outcome.kind === 'network') {
    return new ZtUnavailableError(`The decision point is unreachable: ${failure.final.message}`, 'network', {
      cause: failure.final,
    });
  }
  return failure.final instanceof ZtProblemError || failure.final instanceof ZtUnavailableError
    ? failure.final
    : new ZtUnavailableError(failure.final.message, 'server', { cause: failure.final });
}
