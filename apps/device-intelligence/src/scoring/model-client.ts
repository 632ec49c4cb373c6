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
import { IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { jsonObject } from '@zt/contracts';
import {
  AddressResolver,
  ForbiddenHostError,
  forbiddenHostLookup,
  ModelHostRules,
  modelUrlProblem,
} from '../integration/model-url';
import type { ModelFeatures } from './model-features';

/** Why a model call gave no usable score; each reason is a metric label and an explanation. */
export type ModelFailureReason =
  | 'timeout'
  | 'circuit_open'
  | 'overloaded'
  | 'unreachable'
  | 'http_error'
  | 'invalid_answer'
  | 'forbidden_host';

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
  /** The hosts this process may call now; checked on every call, not only when the URL was stored. */
  hosts: ModelHostRules;
  /** How host names are resolved; the system resolver unless a test answers for invented names. */
  resolve?: AddressResolver;
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

async function readBoundedJson(response: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      response.destroy();
      throw new ModelCallError('invalid_answer', 'the model answer is too large');
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new ModelCallError('invalid_answer', 'the model answered something other than JSON');
  }
}

/**
 * POSTs JSON with node:http rather than fetch: only node:http takes a `lookup`, which is how the
 * addresses a name resolves to are checked before connecting. Redirects are never followed (one
 * could lead the call past the host rules).
 */
function postJson(
  url: URL,
  body: string,
  signal: AbortSignal,
  lookup: LookupFunction | undefined,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const call = send(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          'content-length': Buffer.byteLength(body),
        },
        signal,
        ...(lookup ? { lookup } : {}),
      },
      resolve,
    );
    call.on('error', reject);
    call.end(body);
  });
}

/** Failures worth another attempt: the model may answer next time. A garbage answer will not improve. */
function retryable(error: Error): boolean {
  if (isBrokenCircuitError(error) || error instanceof TaskCancelledError) return false;
  return !(
    error instanceof ModelCallError &&
    (error.reason === 'invalid_answer' || error.reason === 'http_error' || error.reason === 'forbidden_host')
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
  private readonly lookup: LookupFunction | undefined;

  constructor(private readonly options: ModelClientOptions) {
    this.lookup = forbiddenHostLookup(options.hosts, options.resolve);
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

  /** Why the host rules in force refuse this model's URL, or undefined when it may be called. */
  get forbidden(): string | undefined {
    return modelUrlProblem(this.options.url, this.options.hosts);
  }

  /** Scores one device; rejects with a {@link ModelCallError} naming why there is no score. */
  async score(request: ModelRequest): Promise<ModelAnswer> {
    // Before the breaker and retries: a refused URL is no sign of the model's health, and is
    // not called at all.
    const forbidden = this.forbidden;
    if (forbidden) throw new ModelCallError('forbidden_host', forbidden);
    try {
      return await this.policy.execute(({ signal }) => this.call(request, signal));
    } catch (error) {
      throw classify(error);
    }
  }

  private async call(request: ModelRequest, signal: AbortSignal): Promise<ModelAnswer> {
    let response: IncomingMessage;
    try {
      response = await postJson(new URL(this.options.url), JSON.stringify(request), signal, this.lookup);
    } catch (error) {
      if (signal.aborted) throw new TaskCancelledError();
      if (error instanceof ForbiddenHostError) throw new ModelCallError('forbidden_host', error.message);
      throw new ModelCallError('unreachable', error instanceof Error ? error.message : String(error));
    }
    const status = response.statusCode ?? 0;
    if (status < 200 || status > 299) {
      response.destroy();
      // 5xx may pass; 4xx means the model refuses our request and will keep doing so.
      throw new ModelCallError(
        status >= 500 ? 'unreachable' : 'http_error',
        `the model answered HTTP ${status}`,
      );
    }
    try {
      return parseModelAnswer(await readBoundedJson(response));
    } catch (error) {
      if (signal.aborted) throw new TaskCancelledError();
      throw error;
    }
  }
}
