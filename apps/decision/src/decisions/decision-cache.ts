import { hash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cache } from '@zt/cache';
import { APP_CONFIG, AppConfig, RUNTIME_MODE, RuntimeMode } from '@zt/config';
import { canonicalJson } from '@zt/contracts';
import type { DecisionResult } from '@zt/policy-engine';
import { LRUCache } from 'lru-cache';
import { Counter, Registry } from 'prom-client';
import type { DeviceState } from '../device-state/device-facts';

const LOCAL_ENTRIES = 20_000;

/**
 * What identifies a decision apart from the revision: the normalized request (after the token,
 * directory and device facts joined it; its SHA-256 over canonical JSON, which the decision log
 * also carries), the device's stored state, and, when the request names no time, the current
 * minute (time windows change decisions at minute boundaries).
 */
export function decisionDigest(
  requestDigest: string,
  device: DeviceState | undefined,
  now: Date,
  timeGiven: boolean,
): string {
  const minute = timeGiven ? 't' : String(Math.floor(now.getTime() / 60_000));
  // Most requests name no device: only those with stored device state pay a second hash.
  const deviceDigest = device ? hash('sha256', canonicalJson(device), 'base64url') : '-';
  return `${minute}:${deviceDigest}:${requestDigest}`;
}

/**
 * The cache key of a decision: its digest under one policy revision. A decision made under an
 * older revision or an older device state is therefore never served.
 */
export function decisionCacheKey(digest: string, revision: number): string {
  return `decision:${revision}:${digest}`;
}

/**
 * Decisions already made, in two levels: a per-replica LRU in front of the shared cache (Redis
 * when distributed; standalone has only the LRU). Keys are immutable facts (see
 * {@link decisionCacheKey}), so the levels never disagree. Cache trouble is never a reason to
 * fail a decision: a failed lookup is a miss.
 */
@Injectable()
export class DecisionCache {
  private readonly logger = new Logger('DecisionCache');
  private readonly local: LRUCache<string, DecisionResult> | undefined;
  private readonly lookups: Record<'local' | 'shared' | 'miss', Counter.Internal>;
  private readonly ttlSeconds: number;

  constructor(
    @Inject(Cache) private readonly shared: Cache,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(RUNTIME_MODE) private readonly mode: RuntimeMode,
    @Inject(Registry) metrics: Registry,
  ) {
    this.ttlSeconds = config.DECISION_CACHE_TTL_SECONDS;
    this.local =
      this.ttlSeconds > 0 ? new LRUCache({ max: LOCAL_ENTRIES, ttl: this.ttlSeconds * 1000 }) : undefined;
    const lookups = new Counter({
      name: 'zt_decision_cache_lookups_total',
      help: 'Decision cache lookups by result: local hit, shared hit, miss.',
      labelNames: ['result'],
      registers: [metrics],
    });
    // Children bound once: a labelled inc() hashes its labels on every call.
    this.lookups = {
      local: lookups.labels('local'),
      shared: lookups.labels('shared'),
      miss: lookups.labels('miss'),
    };
  }

  get enabled(): boolean {
    return this.local !== undefined;
  }

  async get(key: string): Promise<DecisionResult | undefined> {
    if (!this.local) return undefined;
    const local = this.local.get(key);
    if (local) {
      this.lookups.local.inc();
      return local;
    }
    if (this.mode === 'distributed') {
      try {
        const text = await this.shared.get(key);
        if (text !== undefined) {
          const result = JSON.parse(text) as DecisionResult;
          this.local.set(key, result);
          this.lookups.shared.inc();
          return result;
        }
      } catch (error) {
        this.logger.warn(`shared decision cache lookup failed: ${String(error)}`);
      }
    }
    this.lookups.miss.inc();
    return undefined;
  }

  /** Stores a decision; the shared write is not awaited by the caller's answer. */
  set(key: string, result: DecisionResult): void {
    if (!this.local) return;
    this.local.set(key, result);
    if (this.mode === 'distributed') {
      this.shared.set(key, JSON.stringify(result), this.ttlSeconds).catch((error: unknown) => {
        this.logger.warn(`shared decision cache write failed: ${String(error)}`);
      });
    }
  }
}
