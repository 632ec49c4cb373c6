import { Logger } from '@nestjs/common';
import { ThrottledWarning } from '@zt/observability';
import { circuitBreaker, CircuitBreakerPolicy, ConsecutiveBreaker, handleAll } from 'cockatiel';
import Redis from 'ioredis';
import { Cache } from './cache';

// A command Redis has not answered in this long counts as failed: a frozen Redis (not a dead one,
// whose socket closes) would otherwise hold every caller until TCP gives up, minutes later.
const COMMAND_TIMEOUT_MS = 500;
// After this many failures in a row, calls fail at once for a while instead of each waiting for
// its own timeout; then one call tries again.
const FAILURES_TO_OPEN = 3;
const RETRY_AFTER_MS = 1_000;

/**
 * The distributed cache on Redis (ioredis); every key carries the configured prefix. Callers
 * treat it as optional: while Redis is down or frozen every call fails fast (a circuit breaker)
 * and ioredis reconnects in the background; the outage is logged once per interval, not per call.
 */
export class RedisCache extends Cache {
  private readonly logger = new Logger('RedisCache');
  private readonly breaker: CircuitBreakerPolicy;

  constructor(readonly redis: Redis) {
    super();
    const down = new ThrottledWarning((m) => this.logger.warn(m));
    // Without a listener ioredis reports every failed reconnect as an unhandled error event.
    redis.on('error', (error: Error) => down.warn(`redis unavailable: ${error.message}`));
    redis.on('ready', () => this.logger.log('redis connected'));
    this.breaker = circuitBreaker(handleAll, {
      halfOpenAfter: RETRY_AFTER_MS,
      breaker: new ConsecutiveBreaker(FAILURES_TO_OPEN),
    });
  }

  /**
   * Starts connecting. A Redis that is not there at boot does not stop the process: the cache is
   * optional to its only user (the decision service), which starts degraded and picks Redis up
   * when it comes; /readyz shows the cache down meanwhile.
   */
  static async connect(url: string, keyPrefix: string): Promise<RedisCache> {
    const redis = new Redis(url, {
      keyPrefix,
      lazyConnect: true,
      connectTimeout: 5_000,
      commandTimeout: COMMAND_TIMEOUT_MS,
      maxRetriesPerRequest: 2,
      enableOfflineQueue: false,
    });
    const cache = new RedisCache(redis);
    // Failed attempts are reported by the error listener; ioredis keeps retrying in the background.
    await redis.connect().catch(() => undefined);
    return cache;
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.breaker.execute(() => this.redis.get(key))) ?? undefined;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    if (ttlSeconds > 0) await this.breaker.execute(() => this.redis.set(key, value, 'EX', ttlSeconds));
  }

  async increment(key: string, ttlSeconds: number): Promise<number> {
    const [[incrError, count], [expireError]] = (await this.breaker.execute(() =>
      this.redis
        .multi()
        .incr(key)
        // NX: only the first increment of a window sets its expiry (Redis 7+).
        .expire(key, ttlSeconds, 'NX')
        .exec(),
    )) as [[Error | null, number], [Error | null, unknown]];
    const failure = incrError ?? expireError;
    if (failure) throw failure;
    return count;
  }

  async delete(key: string): Promise<void> {
    await this.breaker.execute(() => this.redis.del(key));
  }

  async isReady(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
