/**
 * A key-value cache with expiry. Values are strings so both implementations store exactly the
 * same bytes; callers serialize. Keys are namespaced by the caller.
 */
export abstract class Cache {
  abstract get(key: string): Promise<string | undefined>;
  abstract set(key: string, value: string, ttlSeconds: number): Promise<void>;
  abstract delete(key: string): Promise<void>;
  /** Adds one to a counter and returns the new count; a new counter expires after `ttlSeconds`. */
  abstract increment(key: string, ttlSeconds: number): Promise<number>;
  /** True when the cache answers. */
  abstract isReady(): Promise<boolean>;
  abstract close(): Promise<void>;
}
