import { Inject, Injectable } from '@nestjs/common';
import { Cache } from '@zt/cache';
import { APP_CONFIG, AppConfig } from '@zt/config';
import type { HistoricalSnapshot, SnapshotAsOf } from '@zt/contracts';
import { LRUCache } from 'lru-cache';
import { Registry } from 'prom-client';
import { SearchEvaluator } from '../authzen/authzen-search.evaluator';
import { AuthzenSearchService } from '../authzen/authzen-search.service';
import { RateLimiter } from '../decisions/rate-limiter';
import { DeviceStateStore } from '../device-state/device-state.store';
import { PolicyState } from '../policy-state/policy-state';
import { HistoricalSnapshots } from './historical-snapshots';

/** The policy state of one past revision, compiled as a live replica's is, with its searches. */
export interface HistoricalState {
  asOf: SnapshotAsOf;
  state: PolicyState;
  /** Empty: device intelligence keeps no history, so only a request's own device facts count. */
  devices: DeviceStateStore;
  search: AuthzenSearchService;
}

/**
 * Past states kept compiled, by revision: an access review asks many questions about one date.
 * Each costs what a replica's state costs (about as much memory as the live one at that
 * revision), hence only a few.
 */
export const HISTORICAL_STATES_KEPT = 3;
/** Instants remembered with the revision they stood for, so a repeated `at` fetches nothing. */
const INSTANTS_KEPT = 256;
/**
 * An instant this far in the past stands for one revision for good: a change is committed within
 * moments of the time its revision logs (and replicas' clocks differ), so a more recent instant
 * is asked again each time rather than remembered too early.
 */
const SETTLED_AFTER_MS = 60_000;

/**
 * Compiles past states from policy-admin's historical snapshots with the builder the live state
 * uses (PolicyState.load), and keeps the last few used. Questions about the same instant at the
 * same time share one fetch.
 */
@Injectable()
export class HistoricalStates {
  private readonly byRevision = new LRUCache<number, HistoricalState>({ max: HISTORICAL_STATES_KEPT });
  private readonly revisionAt = new LRUCache<string, number>({ max: INSTANTS_KEPT });
  private readonly inFlight = new Map<string, Promise<HistoricalState>>();
  // Historical searches are charged to their caller by the time-travel service, not again inside.
  private readonly uncharged: RateLimiter;

  constructor(
    private readonly snapshots: HistoricalSnapshots,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Cache) cache: Cache,
  ) {
    this.uncharged = new RateLimiter(cache, { ...config, RATE_LIMIT_PER_SECOND: 0 }, new Registry());
  }

  /** The state as of the last revision committed at or before `at` (422 / 503 when it cannot be had). */
  async at(at: Date, now = Date.now()): Promise<HistoricalState> {
    const key = at.toISOString();
    const remembered = this.revisionAt.get(key);
    const kept = remembered === undefined ? undefined : this.byRevision.get(remembered);
    if (kept) return kept;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const loading = this.load(key, at.getTime() <= now - SETTLED_AFTER_MS);
    this.inFlight.set(key, loading);
    try {
      return await loading;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async load(at: string, settled: boolean): Promise<HistoricalState> {
    const snapshot = await this.snapshots.fetch({ at });
    const revision = snapshot.as_of.revision;
    if (settled) this.revisionAt.set(at, revision);
    const kept = this.byRevision.get(revision);
    if (kept) return kept;
    const built = this.build(snapshot);
    this.byRevision.set(revision, built);
    return built;
  }

  /** A state built from a historical snapshot, as a new replica builds its own from the current one. */
  private build(snapshot: HistoricalSnapshot): HistoricalState {
    const state = new PolicyState();
    state.load(snapshot, 'a past state for time travel');
    const devices = new DeviceStateStore(this.config);
    devices.markLoaded();
    const evaluator = new SearchEvaluator(state, devices, this.config);
    const search = new AuthzenSearchService(state, evaluator, this.uncharged, this.config, new Registry());
    return { asOf: snapshot.as_of, state, devices, search };
  }
}
