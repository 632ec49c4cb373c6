import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cache } from '@zt/cache';
import { APP_CONFIG, AppConfig } from '@zt/config';
import { ProblemError } from '@zt/http';
import { Counter, Registry } from 'prom-client';

/**
 * Per-caller rate limiting of decision calls: at most RATE_LIMIT_PER_SECOND per caller (the
 * token's subject) in each one-second window, counted in the shared cache so the limit holds
 * across replicas. Off when the limit is 0. If the counter store fails, calls are let through
 * and counted: a Redis outage must not become an authorization outage (the limiter protects
 * capacity; it is not an access control).
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger('RateLimiter');
  private readonly limited: Counter;
  private readonly unchecked: Counter;

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
    const limit = this.config.RATE_LIMIT_PER_SECOND;
    if (limit === 0) return;
    const window = Math.floor(Date.now() / 1000);
    let count: number;
    try {
      count = await this.counters.increment(`rate:${window}:${caller}`, 2);
    } catch (error) {
      this.unchecked.inc();
      this.logger.warn(`rate counter unavailable, call let through: ${String(error)}`);
      return;
    }
    if (count > limit) {
      this.limited.inc();
      // Windows are one second long, so the next one always starts within a second.
      throw new ProblemError(
        429,
        'RATE_LIMITED',
        `More than ${limit} decision calls per second from ${caller}.`,
        {
          headers: { 'retry-after': '1' },
        },
      );
    }
  }
}
