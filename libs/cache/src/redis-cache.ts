import Redis from 'ioredis';
import { Cache } from './cache';

/** The distributed cache on Redis (ioredis); every key carries the configured prefix. */
export class RedisCache extends Cache {
  constructor(readonly redis: Redis) {
    super();
  }

  /** Connects and fails fast (not retrying forever) when Redis is not there at boot. */
  static async connect(url: string, keyPrefix: string): Promise<RedisCache> {
    const redis = new Redis(url, {
      keyPrefix,
      lazyConnect: true,
      connectTimeout: 5_000,
      maxRetriesPerRequest: 2,
      enableOfflineQueue: false,
    });
    await redis.connect();
    return new RedisCache(redis);
  }

  async get(key: string): Promise<string | undefined> {
    return (await this.redis.get(key)) ?? undefined;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    if (ttlSeconds > 0) await this.redis.set(key, value, 'EX', ttlSeconds);
  }

  async increment(key: string, ttlSeconds: number): Promise<number> {
    const [[incrError, count], [expireError]] = (await this.redis
      .multi()
      .incr(key)
      // NX: only the first increment of a window sets its expiry (Redis 7+).
      .expire(key, ttlSeconds, 'NX')
      .exec()) as [[Error | null, number], [Error | null, unknown]];
    const failure = incrError ?? expireError;
    if (failure) throw failure;
    return count;
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(key);
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
