import { ProblemError } from './problem';

/** Where a request came in: HTTP (any API but health), gRPC Decide, or Envoy's ext_authz Check. */
export type AdmissionApi = 'http' | 'grpc_decide' | 'grpc_check';

/** Why a request was refused. */
export type ShedReason = 'in_flight' | 'event_loop_delay';

/** The limits past which a process refuses new requests; 0 turns a limit off. */
export interface AdmissionLimits {
  /** Admit fewer requests while the event loop ran more than this many milliseconds late at its last two samples. */
  maxEventLoopDelayMs: number;
  /** Refuse while this many admitted requests are unanswered. */
  maxInFlight: number;
}

/** Seconds a refused caller is asked to wait: overload is measured every few milliseconds. */
export const OVERLOAD_RETRY_AFTER_SECONDS = 1;

/** The smallest share of requests admitted while the loop is late: see {@link AdmissionControl}. */
export const MIN_ADMITTED_SHARE = 0.1;
/** Each late sample cuts the admitted share by this factor; each timely one adds {@link SHARE_STEP}. */
export const SHARE_CUT = 0.8;
export const SHARE_STEP = 0.05;

/** Someone told of each refused request (metrics, the throttled log line). */
export type ShedListener = (api: AdmissionApi, reason: ShedReason) => void;

/**
 * Admission control of one process: past capacity, a request is refused at once (503 with
 * Retry-After, gRPC RESOURCE_EXHAUSTED) instead of joining a queue in which every request ends
 * up late. Capacity is two measures, each compared in O(1) per request: how late the event loop
 * runs (CPU saturation: requests wait in socket buffers for their turn, which no counter of ours
 * sees) and how many admitted requests are unanswered (requests parked on I/O, Redis or a
 * min-revision wait, pile up in memory while the loop looks idle). The delay is fed in by
 * {@link EventLoopDelaySampler}; this class keeps no timer, so its decisions are plain data.
 *
 * The delay does not switch admission on and off: it steers the share of requests admitted,
 * cut by a fifth at each sample past the limit and raised by a twentieth at each one within it
 * (every 10 ms: back to all within 200 ms once the load drops), and the requests admitted are
 * spread evenly. Refusing costs CPU too (parsing, routing, the answer: a third of a decision or
 * more), so with many connections refusing everything can keep the loop as late as deciding
 * did; switching all-or-nothing then refused nearly every request for as long as the load
 * lasted. The share never falls below {@link MIN_ADMITTED_SHARE}, so some decisions are always
 * made.
 */
export class AdmissionControl {
  private inFlightCount = 0;
  private lastDelayMs = 0;
  private delayMs = 0;
  private share = 1;
  private credit = 0;
  private readonly listeners: ShedListener[] = [];

  constructor(readonly limits: AdmissionLimits) {}

  /** Whether any limit is on. */
  get enabled(): boolean {
    return this.limits.maxEventLoopDelayMs > 0 || this.limits.maxInFlight > 0;
  }

  /** Admitted requests not yet answered. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** The smaller of the event loop's last two sampled delays, in milliseconds: see {@link recordEventLoopDelay}. */
  get eventLoopDelayMs(): number {
    return this.delayMs;
  }

  /** The share of requests admitted while the loop is late (1: all). */
  get admittedShare(): number {
    return this.share;
  }

  /** Tells `listener` of every refused request. */
  onShed(listener: ShedListener): void {
    this.listeners.push(listener);
  }

  /**
   * Admits a request, which then counts as in flight until {@link release}, or refuses it (the
   * listeners are told why). The in-flight limit is checked first: it is the one a caller can
   * hit while the loop is idle.
   */
  tryAdmit(api: AdmissionApi): boolean {
    const { maxInFlight, maxEventLoopDelayMs } = this.limits;
    const reason: ShedReason | undefined =
      maxInFlight > 0 && this.inFlightCount >= maxInFlight
        ? 'in_flight'
        : maxEventLoopDelayMs > 0 && !this.takeShare()
          ? 'event_loop_delay'
          : undefined;
    if (reason === undefined) {
      this.inFlightCount += 1;
      return true;
    }
    for (const listener of this.listeners) listener(api, reason);
    return false;
  }

  /** Whether this request falls within the admitted share: a running credit, so they are evenly spread. */
  private takeShare(): boolean {
    if (this.share >= 1) return true;
    this.credit += this.share;
    // A tolerance, or ten tenths would add up to just under one.
    if (this.credit < 1 - 1e-9) return false;
    this.credit -= 1;
    return true;
  }

  /** Ends one admitted request (answered, failed or abandoned by its caller). */
  release(): void {
    if (this.inFlightCount > 0) this.inFlightCount -= 1;
  }

  /**
   * Records how late the event loop ran at a sample. What counts is the smaller of the last two:
   * a saturated loop is late at every sample, while one long pause (a major collection, one
   * costly request) makes a single late sample, and refusing the requests that queued behind it
   * would turn a hiccup into errors.
   */
  recordEventLoopDelay(ms: number): void {
    this.delayMs = Math.min(ms, this.lastDelayMs);
    this.lastDelayMs = ms;
    const limit = this.limits.maxEventLoopDelayMs;
    if (limit <= 0) return;
    this.share =
      this.delayMs > limit
        ? Math.max(MIN_ADMITTED_SHARE, this.share * SHARE_CUT)
        : Math.min(1, this.share + SHARE_STEP);
  }
}

// One instance for every refusal: constructing an Error captures a stack trace, which cost about
// 10 µs, a tenth of a refusal's whole cost. It is only read (its status, code, detail, headers).
const OVERLOADED = new ProblemError(
  503,
  'OVERLOADED',
  'This service is past its capacity and refused the request before deciding it; retry after the time in Retry-After.',
  { headers: { 'retry-after': String(OVERLOAD_RETRY_AFTER_SECONDS) } },
);

/** The answer to a refused request: 503 OVERLOADED with Retry-After (gRPC: RESOURCE_EXHAUSTED). */
export function overloadedProblem(): ProblemError {
  return OVERLOADED;
}

/**
 * One log line at most every `intervalMs` summing up what was refused since the last one, so an
 * overload costs no log line per request; the counts are exact in the metrics anyway.
 */
export class ShedLog {
  private counts: Partial<Record<`${AdmissionApi}/${ShedReason}`, number>> = {};
  private nextAt = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly write: (summary: Record<string, number>) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts a refusal; writes the summary when the last line is old enough. */
  record(api: AdmissionApi, reason: ShedReason): void {
    const key = `${api}/${reason}` as const;
    this.counts[key] = (this.counts[key] ?? 0) + 1;
    const now = this.now();
    if (now < this.nextAt) return;
    this.write(this.counts);
    this.counts = {};
    this.nextAt = now + this.intervalMs;
  }
}
