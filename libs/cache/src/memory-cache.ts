import { LRUCache } from 'lru-cache';
import { Cache } from './cache';

/** The standalone cache: a bounded in-memory LRU with per-entry expiry. */
export class MemoryCache extends Cache {
  private readonly entries: LRUCache<string, string>;

  constructor(maxEntries = 100_000) {
    super();
    this.entries = new LRUCache({ max: maxEntries, ttlAutopurge: false });
  }

  get(key: string): Promise<string | undefined> {
    return Promise.resolve(this.entries.get(key));
  }

  set(key: string, value: string, ttlSeconds: number): Promise<void> {
    if (ttlSeconds > 0) this.entries.set(key, value, { ttl: ttlSeconds * 1000 });
    return Promise.resolve();
  }

  increment(key: string, ttlSeconds: number): Promise<number> {
    const count = Number(this.entries.get(key) ?? '0') + 1;
    // noUpdateTTL keeps the window's expiry where the first increment put it.
    this.entries.set(key, String(count), { ttl: ttlSeconds * 1000, noUpdateTTL: count > 1 });
    return Promise.resolve(count);
  }

  delete(key: string): Promise<void> {
    this.entries.delete(key);
    return Promise.resolve();
  }

  isReady(): Promise<boolean> {
    return Promise.resolve(true);
  }

  close(): Promise<void> {
    this.entries.clear();
    return Promise.resolve();
  }
}
