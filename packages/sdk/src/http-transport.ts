// The HTTP leg of every call: undici with keep-alive connections, JSON in and out, refusals read
// as problem+json. One attempt only; resilience.ts decides about retries.
import { Agent, type Dispatcher, request } from 'undici';
import type { Problem } from './api-types.js';
import { ZtProblemError } from './errors.js';
import { AttemptFailure } from './resilience.js';
import { parseRetryAfter } from './retry.js';

/** One HTTP request of the API. */
export interface HttpRequest {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** The path with its parameters filled in, from the API's root: `/v1/zt-policy/policies/p1`. */
  path: string;
  query?: Record<string, unknown>;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A success answer: its status, parsed body (JSON, or text for other types) and headers. */
export interface HttpAnswer<T> {
  status: number;
  data: T;
  headers: Record<string, string | undefined>;
}

function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? (value as unknown[]) : [value]) {
      // Query parameters of the API are strings, numbers and booleans; anything else goes as JSON.
      if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') {
        search.append(name, `${item}`);
      } else if (item !== undefined && item !== null) search.append(name, JSON.stringify(item));
    }
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

function flatHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]),
  );
}

function problemOf(status: number, text: string, json: unknown): Problem {
  if (json && typeof json === 'object' && 'code' in json && 'detail' in json) return json as Problem;
  // Not our problem+json (a proxy's page, an empty body): keep the status, say what came.
  return {
    type: 'about:blank',
    title: `HTTP ${status}`,
    status,
    detail: text.slice(0, 200) || `HTTP ${status}`,
    code: `HTTP_${status}`,
  };
}

/** Sends requests to one deployment over a keep-alive connection pool. */
export class HttpTransport {
  private readonly base: string;
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;

  constructor(baseUrl: string, dispatcher?: Dispatcher) {
    this.base = baseUrl.replace(/\/+$/, '');
    this.ownsDispatcher = !dispatcher;
    // Keep-alive is the point: a decision on every request cannot afford a TCP handshake each.
    this.dispatcher = dispatcher ?? new Agent({ keepAliveTimeout: 30_000, connections: 64, pipelining: 1 });
  }

  /** One attempt; throws AttemptFailure (network failure, or a refusal with its problem). */
  async send<T>(call: HttpRequest, signal: AbortSignal): Promise<HttpAnswer<T>> {
    const hasBody = call.body !== undefined;
    let answer: Dispatcher.ResponseData;
    try {
      answer = await request(`${this.base}${call.path}${queryString(call.query)}`, {
        method: call.method,
        dispatcher: this.dispatcher,
        signal,
        headers: {
          accept: 'application/json, application/problem+json;q=0.9, */*;q=0.1',
          ...(hasBody ? { 'content-type': 'application/json' } : {}),
          ...call.headers,
        },
        body: hasBody ? JSON.stringify(call.body) : undefined,
      });
    } catch (error) {
      throw new AttemptFailure(
        { kind: 'network' },
        error instanceof Error ? error : new Error(String(error)),
      );
    }
    const headers = flatHeaders(answer.headers);
    let text: string;
    try {
      text = await answer.body.text();
    } catch (error) {
      throw new AttemptFailure(
        { kind: 'network' },
        error instanceof Error ? error : new Error(String(error)),
      );
    }
    const type = headers['content-type'] ?? '';
    // JSON and problem+json are parsed; JSON Lines (the audit export, x-ndjson) stays text.
    const json: unknown =
      /^application\/(?:[\w.-]+\+)?json\b/i.test(type) && text ? JSON.parse(text) : undefined;
    if (answer.statusCode >= 200 && answer.statusCode < 300) {
      return { status: answer.statusCode, data: (json ?? (text || undefined)) as T, headers };
    }
    const retryAfterSeconds = parseRetryAfter(headers['retry-after']);
    throw new AttemptFailure(
      { kind: 'status', status: answer.statusCode, retryAfterSeconds },
      new ZtProblemError(answer.statusCode, problemOf(answer.statusCode, text, json), retryAfterSeconds),
    );
  }

  /** Closes the connection pool when the transport made it. */
  async close(): Promise<void> {
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}
