import { Deployment, SERVICE_NAMES, ServiceName } from './deployment';
import { Replica, REPLICAS } from './load';

/** One look at a service's /readyz. */
export interface ReadySample {
  t: number;
  service: ServiceName;
  http: number | 'no_answer';
  /** The body's status: ready, degraded, not_ready. */
  status?: string;
  /** Checks that said not ready (or degraded). */
  failing: string[];
  /** decision replicas: the policy-state check's revision. */
  revision?: number;
}

/** One look at policy-admin's rollout view. */
export interface StatusSample {
  t: number;
  http: number | 'no_answer';
  retryAfter: string | null;
  revision?: number;
  replicas: { instance: string; revision: number }[];
}

/** Counters of one decision replica's /metrics. */
export interface MetricSample {
  t: number;
  replica: Replica;
  logDropped: number;
  rateLimitUnchecked: number;
}

const SAMPLE_EVERY_MS = 500;

function sum(text: string, metric: string, label?: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric) || (label && !line.includes(label))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return total;
}

async function getJson(url: string): Promise<{ http: number; body: unknown; retryAfter: string | null }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(3_000) });
  const text = await r.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { http: r.status, body, retryAfter: r.headers.get('retry-after') };
}

type ReadyBody = {
  status?: string;
  checks?: Record<string, { ready: boolean; degraded?: boolean; detail?: { revision?: number } }>;
};

/**
 * Watches what operators would watch while the load runs: every service's /readyz, policy-admin's
 * GET /status, and the decision replicas' degradation counters.
 */
export class Observer {
  readonly ready: ReadySample[] = [];
  readonly status: StatusSample[] = [];
  readonly metrics: MetricSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private ticks = 0;
  private busy = false;

  constructor(private readonly deployment: Deployment) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      void this.sample().finally(() => (this.busy = false));
    }, SAMPLE_EVERY_MS);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async sample(): Promise<void> {
    const tick = this.ticks++;
    const jobs: Promise<void>[] = SERVICE_NAMES.map((name) => this.sampleReady(name));
    if (tick % 2 === 0) jobs.push(this.sampleStatus());
    if (tick % 4 === 0) jobs.push(...REPLICAS.map((replica) => this.sampleMetrics(replica)));
    await Promise.all(jobs);
  }

  private async sampleReady(service: ServiceName): Promise<void> {
    const sample: ReadySample = { t: Date.now(), service, http: 'no_answer', failing: [] };
    try {
      const r = await getJson(`${this.deployment.services[service].url}/readyz`);
      const body = r.body as ReadyBody;
      sample.http = r.http;
      sample.status = body.status;
      sample.failing = Object.entries(body.checks ?? {})
        .filter(([, check]) => !check.ready || check.degraded === true)
        .map(([name]) => name);
      sample.revision = body.checks?.['policy-state']?.detail?.revision;
    } catch {
      // no answer: down, or too slow to say
    }
    this.ready.push(sample);
  }

  private async sampleStatus(): Promise<void> {
    const sample: StatusSample = { t: Date.now(), http: 'no_answer', retryAfter: null, replicas: [] };
    try {
      const r = await fetch(`${this.deployment.services['policy-admin'].url}/v1/zt-policy/status`, {
        headers: { authorization: `Bearer ${this.deployment.tokens().admin}` },
        signal: AbortSignal.timeout(3_000),
      });
      sample.http = r.status;
      sample.retryAfter = r.headers.get('retry-after');
      const body = (await r.json()) as {
        revision?: number;
        replicas?: { instance: string; revision: number }[];
      };
      sample.revision = body.revision;
      sample.replicas = (body.replicas ?? []).map((x) => ({ instance: x.instance, revision: x.revision }));
    } catch {
      // no answer
    }
    this.status.push(sample);
  }

  private async sampleMetrics(replica: Replica): Promise<void> {
    try {
      const r = await fetch(`${this.deployment.services[replica].url}/metrics`, {
        signal: AbortSignal.timeout(3_000),
      });
      const text = await r.text();
      this.metrics.push({
        t: Date.now(),
        replica,
        logDropped: sum(text, 'zt_decision_log_events_total', 'outcome="dropped"'),
        rateLimitUnchecked: sum(text, 'zt_rate_limit_unchecked_total'),
      });
    } catch {
      // a killed replica has no metrics
    }
  }

  /** The latest /readyz sample of a service at or before `t`. */
  readyAt(service: ServiceName, t: number): ReadySample | undefined {
    for (let i = this.ready.length - 1; i >= 0; i--) {
      const s = this.ready[i];
      if (s.service === service && s.t <= t) return s;
    }
    return undefined;
  }
}
