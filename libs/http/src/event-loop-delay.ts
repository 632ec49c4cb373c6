import { performance } from 'node:perf_hooks';

/** How often the event loop's delay is sampled: short enough to catch an overload within a few. */
export const EVENT_LOOP_SAMPLE_MS = 10;

/** How late a timer due at `dueAt` fired at `firedAt` (ms, never negative). */
export function lateness(dueAt: number, firedAt: number): number {
  return Math.max(0, firedAt - dueAt);
}

/**
 * The part of a timer's lateness this process caused: the lateness scaled by the share of the
 * period the process spent on the CPU. A loop late because it had work to do was on the CPU all
 * along; one late because the host gave its core to others (a busy neighbour, a CI machine) was
 * not, and refusing requests would not give it the core back.
 */
export function ownDelay(lateMs: number, periodMs: number, cpuMs: number): number {
  if (periodMs <= 0) return 0;
  return lateMs * Math.min(1, cpuMs / periodMs);
}

/**
 * Measures how late the event loop runs: a timer due every {@link EVENT_LOOP_SAMPLE_MS} fires
 * only when the loop gets to it, so its lateness is how long the loop was busy, which under
 * saturation is how long a request arriving now waits for its turn. Each sample, as
 * {@link ownDelay} (the process's CPU time counts all its threads: an approximation that errs
 * towards refusing), goes to `sink` at once (perf_hooks' monitorEventLoopDelay only yields a
 * histogram to read on a timer of our own, one more period behind). The timer does not keep the
 * process alive.
 */
export class EventLoopDelaySampler {
  private timer: NodeJS.Timeout | undefined;
  private dueAt = 0;
  private startedAt = 0;
  private cpu = process.cpuUsage();

  constructor(
    private readonly sink: (delayMs: number) => void,
    private readonly intervalMs = EVENT_LOOP_SAMPLE_MS,
  ) {}

  /** Starts sampling (again a no-op while running). */
  start(): void {
    if (this.timer) return;
    this.schedule();
  }

  /** Stops sampling. */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.startedAt = performance.now();
    this.cpu = process.cpuUsage();
    this.dueAt = this.startedAt + this.intervalMs;
    this.timer = setTimeout(() => {
      const now = performance.now();
      const used = process.cpuUsage(this.cpu);
      this.sink(ownDelay(lateness(this.dueAt, now), now - this.startedAt, (used.user + used.system) / 1000));
      this.schedule();
    }, this.intervalMs);
    this.timer.unref();
  }
}
