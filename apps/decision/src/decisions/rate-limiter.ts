import { AsyncLocalStorage } from 'node:async_hooks';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cache } from '@zt/cache';
import { APP_CONFIG, AppConfig } from '@zt/config';
import { ProblemError } from '@zt/http';
import { ThrottledWarning } from '@zt/observability';
import { Counter, Registry } from 'prom-client';

/**
 * Per-caller rate limiting of decision calls: at most RATE_LIMIT_PER_SECOND per caller (the
 * token's subject) in each one-second window, counted in the shared cache so the limit holds
 * across replicas. Off when the limit is 0. If the counter store fails, calls are let through
 * and counted: a Redis outage must not become an authorization outage (the limiter protects
 * capacity; it is not an access control).
 *
 * A batch (AuthZEN evaluations) costs one call per entry, charged whole before any entry runs:
 * a batch that does not fit the caller's window gets 429 and nothing is evaluated, and a batch
 * larger than the limit itself, which could never fit, gets 413. Calls refused with 429, single
 * or batched, still count in their window.
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger('RateLimiter');
  private readonly unavailable = new ThrottledWarning((m) => this.logger.warn(m));
  private readonly limited: Counter;
  private readonly unchecked: Counter;
  /** The caller whose calls in this async context were already paid for by {@link chargeBatch}. */
  private readonly paid = new AsyncLocalStorage<string>();

  constructor(
    @Inject(Cache) private readonly counters: Cache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Registry) metrics: Registry,
  ) {
    this.limited = new Counter({
      name: 'zt_rate_limited_total',
      help: 'Decision calls refused with 429.',
      registers: [metrics],
    });
    this.unchecked = new Counter({
      name: 'zt_rate_limit_unchecked_total',
      help: 'Decision calls let through because the rate counter could not be read.',
      registers: [metrics],
    });
  }

  /** Counts a call; throws 429 problem+json with Retry-After when the caller is over its limit. */
  async check(caller: string): Promise<void> {
    // The entries of a batch that chargeBatch admitted were counted with it.
    if (this.paid.getStore() === caller) return;
    await this.charge(caller, 1);
  }

  /**
   * Charges `cost` calls of one batch at once, then runs `work` with them paid (the
   * {@link check} of each entry does not count again). Throws before `work` runs: 413 naming
   * `pointer` when the batch alone exceeds the limit, 429 with Retry-After when it does not fit.
   */
  async chargeBatch<T>(caller: string, cost: number, pointer: string, work: () => Promise<T>): Promise<T> {
    const limit = this.config.RATE_LIMIT_PER_SECOND;
    if (limit > 0 && cost > limit) {
      this.limited.inc();
      throw new ProblemError(
        413,
        'PAYLOAD_TOO_LARGE',
        `A batch of ${cost} evaluations costs ${cost} decision calls, more than the ${limit} per second a caller may make (RATE_LIMIT_PER_SECOND); it can never be answered: split it.`,
        { errors: [{ pointer, detail: `must have at most ${limit} entries (RATE_LIMIT_PER_SECOND)` }] },
      );
    }
    if (cost > 0) await this.charge(caller, cost);
    return this.paid.run(caller, work);
  }

  private async charge(caller: string, cost: number): Promise<void> {
    const limit = this.config.RATE_LIMIT_PER_SECOND;
    if (limit === 0) return;
    const window = Math.floor(Date.now() / 1000);
    let count: number;
    try {
      // The shared counter only adds one at a time; the increments are sent together and the
      // highest count is where this charge ended (batches are at most 100 entries).
      const counts = await Promise.all(
        Array.from({ length: cost }, () => this.counters.increment(`rate:${window}:${caller}`, 2)),
      );
      count = Math.max(...counts);
    } catch (error) {
      this.unchecked.inc();
      this.unavailable.warn(`rate counter unavailable, calls let through: ${String(error)}`);
      return;
    }
    if (count > limit) {
      this.limited.inc();
      // Windows are one second long, so the next one always starts within a second.
      throw new ProblemError(
        429,
        'RATE_LIMITED',
        cost === 1
          ? `More than ${limit} decision calls per second from ${caller}.`
          : `A batch of ${cost} evaluations would take ${caller} past ${limit} decision calls per second.`,
        {
          headers: { 'retry-after': '1' },
        },
      );
    }
  }
}
