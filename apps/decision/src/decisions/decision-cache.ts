import { hash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Cache } from '@zt/cache';
import { APP_CONFIG, AppConfig, RUNTIME_MODE, RuntimeMode } from '@zt/config';
import { canonicalJson } from '@zt/contracts';
import { ThrottledWarning } from '@zt/observability';
import type { DecisionRequest, DecisionResult } from '@zt/policy-engine';
import { LRUCache } from 'lru-cache';
import { Counter, Registry } from 'prom-client';
import type { DeviceState } from '../device-state/device-facts';

const LOCAL_ENTRIES = 20_000;
// Requests longer than this are cached locally under their digest, so the local cache stays
// bounded in memory (20,000 keys of at most 2 KB) whatever the bodies callers send.
const MAX_EXACT_KEY = 2048;

/**
 * What identifies a decision apart from the revision: the normalized request (after the token,
 * directory and device facts joined it), the device's stored state, and, when the request names
 * no time, the current minute (time windows change decisions at minute boundaries). A decision
 * made under an older revision or an older device state is therefore never served.
 *
 * This replica's cache is keyed by the request's JSON text as built (exact, so no collision is
 * possible, and nothing to hash on a hit; long requests by their digest); the shared cache by
 * the SHA-256 of its canonical JSON, so replicas agree whatever the member order. That digest is
 * also the decision log's request digest, computed once, and only when the local cache does not
 * already hold it.
 */
export class DecisionKey {
  private readonly minute: string;
  private readonly text: string;
  private digest: string | undefined;
  private sharedSuffix: string | undefined;

  constructor(
    private readonly request: DecisionRequest,
    private readonly device: DeviceState | undefined,
    now: Date,
  ) {
    this.minute = request.context?.time !== undefined ? 't' : String(Math.floor(now.getTime() / 60_000));
    this.text = JSON.stringify(device === undefined ? request : [request, device]);
  }

  /** SHA-256 (hex) of the request's canonical JSON. */
  get requestDigest(): string {
    this.digest ??= hash('sha256', canonicalJson(this.request), 'hex');
    return this.digest;
  }

  /** The key in this replica's cache under a revision. */
  local(revision: number): string {
    return this.text.length <= MAX_EXACT_KEY
      ? `${revision}:${this.minute}:${this.text}`
      : this.shared(revision);
  }

  /** The key in the shared cache under a revision. */
  shared(revision: number): string {
    // A miss asks for it in the lookup and again to store: the digests are computed once.
    this.sharedSuffix ??= `${this.minute}:${
      this.device ? hash('sha256', canonicalJson(this.device), 'base64url') : '-'
    }:${this.requestDigest}`;
    return `decision:${revision}:${this.sharedSuffix}`;
  }
}

/** A decision found in the cache, with the digest of the request it answered. */
export interface CachedDecision {
  result: DecisionResult;
  requestDigest: string;
}

/**
 * Decisions already made, in two levels: a per-replica LRU in front of the shared cache (Redis
 * when distributed; standalone has only the LRU). Keys are immutable facts (see
 * {@link DecisionKey}), so the levels never disagree. Cache trouble is never a reason to fail a
 * decision: a failed lookup is a miss.
 */
@Injectable()
export class DecisionCache {
  private readonly logger = new Logger('DecisionCache');
  private readonly unavailable = new ThrottledWarning((m) => this.logger.warn(m));
  private readonly local: LRUCache<string, CachedDecision> | undefined;
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

  /** The decision cached for this request under this revision, if any. */
  async get(key: DecisionKey, revision: number): Promise<CachedDecision | undefined> {
    if (!this.local) return undefined;
    const local = this.local.get(key.local(revision));
    if (local) {
      this.lookups.local.inc();
      return local;
    }
    if (this.mode === 'distributed') {
      try {
        const text = await this.shared.get(key.shared(revision));
        if (text !== undefined) {
          const found = { result: JSON.parse(text) as DecisionResult, requestDigest: key.requestDigest };
          this.local.set(key.local(revision), found);
          this.lookups.shared.inc();
          return found;
        }
      } catch (error) {
        this.unavailable.warn(`shared decision cache unavailable, deciding without it: ${String(error)}`);
      }
    }
    this.lookups.miss.inc();
    return undefined;
  }

  /** Stores a decision; the shared write is not awaited by the caller's answer. */
  set(key: DecisionKey, revision: number, result: DecisionResult): void {
    if (!this.local) return;
    this.local.set(key.local(revision), { result, requestDigest: key.requestDigest });
    if (this.mode === 'distributed') {
      this.shared
        .set(key.shared(revision), JSON.stringify(result), this.ttlSeconds)
        .catch((error: unknown) => {
          this.unavailable.warn(`shared decision cache unavailable, deciding without it: ${String(error)}`);
        });
    }
  }
}
