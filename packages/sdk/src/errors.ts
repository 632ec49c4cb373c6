import type { Problem } from './api-types.js';

/** The API refused a call: the status and its problem+json body (the field pointers are in `problem.errors`). */
export class ZtProblemError extends Error {
  override readonly name = 'ZtProblemError';

  constructor(
    readonly status: number,
    readonly problem: Problem,
    /** Seconds the server asked the caller to wait (Retry-After), when it said. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${status} ${problem.code}: ${problem.detail}`);
  }
}

/** The decision point could not be asked: unreachable, too slow for the deadline, or its circuit is open. */
export class ZtUnavailableError extends Error {
  override readonly name = 'ZtUnavailableError';

  constructor(
    message: string,
    /** Why: `deadline`, `network`, `circuit_open` or `server` (a 5xx after the retries allowed). */
    readonly reason: 'deadline' | 'network' | 'circuit_open' | 'server',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Whether an error means the decision point could not answer (the enforcement point then fails closed or open). */
export function isUnavailable(error: unknown): boolean {
  return error instanceof ZtUnavailableError || (error instanceof ZtProblemError && error.status >= 500);
}
