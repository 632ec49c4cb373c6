import {
  bulkhead,
  BulkheadPolicy,
  circuitBreaker,
  CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleAll,
  handleWhen,
  IPolicy,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import { jsonObject } from '@zt/contracts';
import type { ModelFeatures } from './model-features';

/** Why a model call gave no usable score; each reason is a metric label and an explanation. */
export type ModelFailureReason =
  'timeout' | 'circuit_open' | 'overloaded' | 'unreachable' | 'http_error' | 'invalid_answer';

/** A model call that produced no score. */
export class ModelCallError extends Error {
  constructor(
    readonly reason: ModelFailureReason,
    message: string,
  ) {
    super(message);
    this.name = 'ModelCallError';
  }
}

/** What the service sends to the model (the contract of docs/device-intelligence.md). */
export interface ModelRequest {
  contract: 'zt.device-risk.v1';
  device_id: string;
  features: ModelFeatures;
  signals: Record<string, unknown>;
  observed_at: string;
}

/** A model's answer, validated. */
export interface ModelAnswer {
  score: number;
  model: string;
  explanation: string[];
}

/** How calls to one integrated model behave. */
export interface ModelClientOptions {
  url: string;
  /** Budget of one scoring, retries and waiting for a slot included. */
  timeoutMs: number;
  retries: number;
  maxConcurrency: number;
  maxQueue: number;
  breakerFailures: number;
  halfOpenAfterMs: number;
}

/** An answer larger than this is not a score; reading it whole would let a model exhaust memory. */
const MAX_ANSWER_BYTES = 64 * 1024;
const MAX_EXPLANATIONS = 20;

/** Checks a model's JSON answer: a finite score in [0, 1]; names and explanations are optional. */
export function parseModelAnswer(body: unknown): ModelAnswer {
  const answer = jsonObject(body);
  const score = answer?.score;
  if (typeof score !== 'number' || !Number.isFinite(score) || score < 0 || score > 1) {
    throw new ModelCallError('invalid_answer', 'the model answered no score between 0 and 1');
  }
  const explanation = Array.isArray(answer?.explanation)
    ? answer.explanation
        .filter((e): e is string => typeof e === 'string')
        .slice(0, MAX_EXPLANATIONS)
        .map((e) => e.slice(0, 256))
    : [];
  const model = typeof answer?.model === 'string' ? answer.model.slice(0, 128) : 'unnamed';
  const version = typeof answer?.version === 'string' ? `@${answer.version.slice(0, 32)}` : '';
  return { score, model: `${model}${version}`, explanation };
}

async function readBoundedJson(response: Response): Promise<unknown> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = (response.body as ReadableStream<Uint8Array> | null)?.getReader();
  for (let part = await reader?.read(); part && !part.done; part = await reader?.read()) {
    size += part.value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader?.cancel();
      throw new ModelCallError('invalid_answer', 'the model answer is too large');
    }
    chunks.push(part.value);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new ModelCallError('invalid_answer', 'the model answered something other than JSON');
  }
}

/** Failures worth another attempt: the model may answer next time. A garbage answer will not improve. */
function retryable(error: Error): boolean {
  if (isBrokenCircuitError(error) || error instanceof TaskCancelledError) return false;
  return !(
    error instanceof ModelCallError &&
    (error.reason === 'invalid_answer' || error.reason === 'http_error')
  );
}

function classify(error: unknown): ModelCallError {
  if (error instanceof ModelCallError) return error;
  if (error instanceof TaskCancelledError)
    return new ModelCallError('timeout', 'the model did not answer in time');
  if (isBrokenCircuitError(error)) return new ModelCallError('circuit_open', 'the circuit breaker is open');
  if (isBulkheadRejectedError(error))
    return new ModelCallError('overloaded', 'too many model calls are waiting');
  return new ModelCallError('unreachable', error instanceof Error ? error.message : String(error));
}

/**
 * Calls one integrated risk model with bounded cost: an overall timeout (aggressive, so a
 * hanging model cannot hold the caller), a bounded number of calls in flight and waiting, jittered
 * retries of transient failures within the same budget, and a circuit breaker that stops calling
 * a model that keeps failing. Policies nest outermost first: timeout, bulkhead, retry, breaker.
 */
export class ModelClient {
  private readonly breaker: CircuitBreakerPolicy;
  private readonly bulkhead: BulkheadPolicy;
  private readonly policy: IPolicy;

  constructor(private readonly options: ModelClientOptions) {
    this.breaker = circuitBreaker(handleAll, {
      halfOpenAfter: options.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.breakerFailures),
    });
    this.bulkhead = bulkhead(options.maxConcurrency, options.maxQueue);
    this.policy = wrap(
      timeout(options.timeoutMs, TimeoutStrategy.Aggressive),
      this.bulkhead,
      retry(handleWhen(retryable), {
        maxAttempts: options.retries,
        backoff: new ExponentialBackoff({ initialDelay: 25, maxDelay: 500 }),
      }),
      this.breaker,
    );
  }

  /** The breaker's state, for health and metrics. */
  get circuit(): 'closed' | 'open' | 'half_open' {
    const state = this.breaker.state;
    if (state === CircuitState.Closed) return 'closed';
    return state === CircuitState.HalfOpen ? 'half_open' : 'open';
  }

  /** Calls in flight right now. */
  get inFlight(): number {
    return this.options.maxConcurrency - this.bulkhead.executionSlots;
  }

  /** Scores one device; rejects with a {@link ModelCallError} naming why there is no score. */
  async score(request: ModelRequest): Promise<ModelAnswer> {
    try {
      return await this.policy.execute(({ signal }) => this.call(request, signal));
    } catch (error) {
      throw classify(error);
    }
  }

  private async call(request: ModelRequest, signal: AbortSignal): Promise<ModelAnswer> {
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(request),
        signal,
        // A redirect could lead the call past MODEL_ALLOWED_HOSTS.
        redirect: 'error',
      });
    } catch (error) {
      if (signal.aborted) throw new TaskCancelledError();
      throw new ModelCallError('unreachable', error instanceof Error ? error.message : String(error));
    }
    if (!response.ok) {
      await response.body?.cancel();
      // 5xx may pass; 4xx means the model refuses our request and will keep doing so.
      throw new ModelCallError(
        response.status >= 500 ? 'unreachable' : 'http_error',
        `the model answered HTTP ${response.status}`,
      );
    }
    return parseModelAnswer(await readBoundedJson(response));
  }
}
