import { Inject, Injectable } from '@nestjs/common';
import type { Effect } from '@zt/policy-engine';
import { Counter, Histogram, Registry } from 'prom-client';

const EFFECTS: readonly Effect[] = ['allow', 'deny', 'require_mfa', 'isolate'];

/**
 * Prometheus metrics of every decision: how many of each effect (from the cache or evaluated) and
 * how long deciding took, without the wait for a newer revision. Children are bound once, since
 * a labelled inc() hashes its labels on every call and this runs on every decision.
 */
@Injectable()
export class DecisionMetrics {
  private readonly counts: Record<'cached' | 'evaluated', Record<Effect, Counter.Internal>>;
  private readonly duration: Histogram;

  constructor(@Inject(Registry) metrics: Registry) {
    const decisions = new Counter({
      name: 'zt_decisions_total',
      help: 'Decisions made, by effect and by whether the decision cache answered.',
      labelNames: ['decision', 'cached'],
      registers: [metrics],
    });
    const children = (cached: string) =>
      Object.fromEntries(EFFECTS.map((effect) => [effect, decisions.labels(effect, cached)])) as Record<
        Effect,
        Counter.Internal
      >;
    this.counts = { cached: children('true'), evaluated: children('false') };
    this.duration = new Histogram({
      name: 'zt_decision_duration_seconds',
      help: 'Time to decide a request, from its validation to its answer (waits for a newer revision excluded).',
      buckets: [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1],
      registers: [metrics],
    });
  }

  /** Counts one decision and its duration. */
  observe(decision: Effect, cached: boolean, seconds: number): void {
    this.counts[cached ? 'cached' : 'evaluated'][decision].inc();
    this.duration.observe(seconds);
  }
}
