// ZtClient: typed calls to every part of the Zero Trust Policy API a service needs, over one
// keep-alive pool, each with a deadline, bounded retries (only where safe) and a circuit breaker.
import type { CircuitBreakerPolicy } from 'cockatiel';
import type { Dispatcher } from 'undici';
import type {
  ApiPath,
  ChangeSet,
  Decision,
  DecisionRequest,
  HttpMethod,
  PathWith,
  PolicyInput,
  PrincipalInput,
  DirectoryResourceInput,
  QueryOf,
  RequestBody,
  ResponseBody,
} from './api-types.js';
import { HttpTransport, type HttpAnswer } from './http-transport.js';
import { type BreakerOptions, createBreaker, DEFAULT_BREAKER, resilientCall } from './resilience.js';
import { DEFAULT_RETRY, type RetryOptions } from './retry.js';

/** Where the bearer token comes from: a fixed one, or a function asked on every call (for rotation). */
export type TokenSource = string | (() => string | Promise<string>);

/** Options of one call. */
export interface CallOptions {
  /** The deadline of the whole call, retries included (default: the client's timeoutMs). */
  timeoutMs?: number;
  /** Cancels the call. */
  signal?: AbortSignal;
  /** A bearer token for this call only (an enforcement point forwards its caller's). */
  token?: string;
  /** More request headers (`traceparent`, `x-correlation-id`, ...). */
  headers?: Record<string, string>;
}

/** Options of a decision call. */
export interface DecideOptions extends CallOptions {
  /** The policy revision the answer must reflect at least (read-your-writes: `Zt-Min-Revision`). */
  minRevision?: number;
}

/** How decisions travel: HTTP by default, or gRPC (`@zt-policy/sdk/grpc`). */
export interface DecisionTransport {
  decide(request: DecisionRequest, options: DecideOptions & { token?: string }): Promise<Decision>;
  close(): Promise<void>;
}

/** A write's answer and the policy revision it produced (send it as minRevision to read your write). */
export interface Written<T> {
  data: T;
  revision?: number;
}

/** How to build a client. */
export interface ZtClientOptions {
  /** The deployment's base URL, as `servers` of its /openapi.json names it: `https://zt.example.com`. */
  baseUrl: string;
  /** Bearer token of the calling service (its roles decide what it may call). */
  token?: TokenSource;
  /** Default deadline of a call, retries included (default 2000 ms). */
  timeoutMs?: number;
  retry?: Partial<RetryOptions>;
  breaker?: Partial<BreakerOptions>;
  /** Decisions over another transport, e.g. `grpcDecisions({ address })` from `@zt-policy/sdk/grpc`. */
  decisions?: DecisionTransport | ((client: ZtClient) => DecisionTransport);
  /**
   * Send the highest revision this client's own writes produced as `Zt-Min-Revision` on its
   * decisions, so a decision never predates a change the same client made (default true).
   */
  readYourWrites?: boolean;
  /** An undici dispatcher to share (default: a keep-alive pool of this client). */
  dispatcher?: Dispatcher;
}

/** Options of a policy write. */
export interface ChangeOptions extends CallOptions {
  /** Why the change is made; recorded in the audit trail (`Zt-Change-Reason`). */
  reason?: string;
}

type PathParams = Record<string, string | number>;

/** The parts of one generic call. */
export type CallInit<P extends ApiPath, M extends HttpMethod> = CallOptions & {
  params?: PathParams;
  query?: QueryOf<P, M>;
  body?: RequestBody<P, M>;
  /** Safe to repeat after a network failure (GET, PUT, DELETE are; POST only when it only reads). */
  idempotent?: boolean;
};

const REVISION_HEADER = 'zt-policy-revision';
const MIN_REVISION_HEADER = 'zt-min-revision';

function fillPath(path: string, params: PathParams = {}): string {
  return path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`Missing path parameter ${name} for ${path}`);
    return encodeURIComponent(String(value));
  });
}

function revisionOf(answer: HttpAnswer<unknown>): number | undefined {
  const header = Number(answer.headers[REVISION_HEADER]);
  if (Number.isSafeInteger(header) && header > 0) return header;
  const body = answer.data as { revision?: unknown } | undefined;
  return typeof body?.revision === 'number' ? body.revision : undefined;
}

/** A typed client of the Zero Trust Policy API. */
export class ZtClient {
  /** The highest policy revision this client's writes produced (0: none yet). */
  lastRevision = 0;
  private readonly http: HttpTransport;
  private readonly breaker: CircuitBreakerPolicy;
  private readonly retry: RetryOptions;
  private readonly timeoutMs: number;
  private readonly decisions: DecisionTransport;
  private readonly readYourWrites: boolean;

  constructor(private readonly options: ZtClientOptions) {
    this.http = new HttpTransport(options.baseUrl, options.dispatcher);
    this.breaker = createBreaker({ ...DEFAULT_BREAKER, ...options.breaker });
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.readYourWrites = options.readYourWrites ?? true;
    const decisions = options.decisions;
    this.decisions =
      typeof decisions === 'function'
        ? decisions(this)
        : (decisions ?? { decide: (r, o) => this.decideOverHttp(r, o), close: async () => {} });
  }

  /** Any operation of the API, typed from the OpenAPI document: `call('get', '/v1/zt-policy/status')`. */
  async call<M extends HttpMethod, P extends PathWith<M>>(
    method: M,
    path: P,
    init: CallInit<P, M> = {},
  ): Promise<HttpAnswer<ResponseBody<P, M>>> {
    const token = init.token ?? (await this.bearerToken());
    const answer = await resilientCall(
      this.breaker,
      {
        timeoutMs: init.timeoutMs ?? this.timeoutMs,
        idempotent: init.idempotent ?? method !== 'post',
        signal: init.signal,
        retry: this.retry,
      },
      (signal) =>
        this.http.send<ResponseBody<P, M>>(
          {
            method: method.toUpperCase() as 'GET' | 'PUT' | 'POST' | 'DELETE',
            path: fillPath(path, init.params),
            query: init.query,
            body: init.body,
            headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...init.headers },
          },
          signal,
        ),
    );
    if (method !== 'get') {
      const revision = revisionOf(answer);
      if (revision !== undefined && path !== '/v1/zt-policy/decisions') this.observeRevision(revision);
    }
    return answer;
  }

  /** Notes a policy revision this client caused or was told of (read-your-writes). */
  observeRevision(revision: number): void {
    if (revision > this.lastRevision) this.lastRevision = revision;
  }

  /** Decides one request (the native API): allow, deny, require_mfa or isolate, with its explanation. */
  decide(request: DecisionRequest, options: DecideOptions = {}): Promise<Decision> {
    const own = this.readYourWrites && this.lastRevision > 0 ? this.lastRevision : undefined;
    const minRevision = Math.max(options.minRevision ?? 0, own ?? 0) || undefined;
    return this.decisions.decide(request, { ...options, minRevision });
  }

  private async decideOverHttp(request: DecisionRequest, options: DecideOptions): Promise<Decision> {
    const answer = await this.call('post', '/v1/zt-policy/decisions', {
      ...options,
      body: request,
      // A decision only reads: repeating it is safe.
      idempotent: true,
      headers: {
        ...options.headers,
        ...(options.minRevision ? { [MIN_REVISION_HEADER]: String(options.minRevision) } : {}),
      },
    });
    return answer.data;
  }

  /** OpenID AuthZEN 1.0 evaluation. */
  async evaluation(
    request: RequestBody<'/access/v1/evaluation', 'post'>,
    options: CallOptions = {},
  ): Promise<ResponseBody<'/access/v1/evaluation', 'post'>> {
    return (await this.call('post', '/access/v1/evaluation', { ...options, body: request, idempotent: true }))
      .data;
  }

  /** OpenID AuthZEN 1.0 batch evaluation. */
  async evaluations(
    request: RequestBody<'/access/v1/evaluations', 'post'>,
    options: CallOptions = {},
  ): Promise<ResponseBody<'/access/v1/evaluations', 'post'>> {
    return (
      await this.call('post', '/access/v1/evaluations', { ...options, body: request, idempotent: true })
    ).data;
  }

  /** OpenID AuthZEN 1.0 search: which subjects, resources or actions a request allows. */
  readonly search = {
    subject: async (request: RequestBody<'/access/v1/search/subject', 'post'>, options: CallOptions = {}) =>
      (await this.call('post', '/access/v1/search/subject', { ...options, body: request, idempotent: true }))
        .data,
    resource: async (request: RequestBody<'/access/v1/search/resource', 'post'>, options: CallOptions = {}) =>
      (await this.call('post', '/access/v1/search/resource', { ...options, body: request, idempotent: true }))
        .data,
    action: async (request: RequestBody<'/access/v1/search/action', 'post'>, options: CallOptions = {}) =>
      (await this.call('post', '/access/v1/search/action', { ...options, body: request, idempotent: true }))
        .data,
  };

  /** Policy administration. */
  readonly policies = {
    list: async (query: QueryOf<'/v1/zt-policy/policies', 'get'> = {}, options: CallOptions = {}) =>
      (await this.call('get', '/v1/zt-policy/policies', { ...options, query })).data,
    get: async (id: string, options: CallOptions = {}) =>
      (await this.call('get', '/v1/zt-policy/policies/{id}', { ...options, params: { id } })).data,
    create: async (policy: PolicyInput, options: ChangeOptions = {}) =>
      this.written(
        await this.call('post', '/v1/zt-policy/policies', { ...this.change(options), body: policy }),
      ),
    update: async (id: string, policy: PolicyInput, options: ChangeOptions & { ifMatch?: string } = {}) =>
      this.written(
        await this.call('put', '/v1/zt-policy/policies/{id}', {
          ...this.change(options, options.ifMatch ? { 'if-match': options.ifMatch } : {}),
          params: { id },
          body: policy,
        }),
      ),
    delete: async (id: string, options: ChangeOptions = {}) =>
      this.written(
        await this.call('delete', '/v1/zt-policy/policies/{id}', { ...this.change(options), params: { id } }),
      ),
    restore: async (id: string, options: ChangeOptions = {}) =>
      this.written(
        await this.call('post', '/v1/zt-policy/policies/{id}/restore', {
          ...this.change(options),
          params: { id },
        }),
      ),
    rollback: async (id: string, version: number, options: ChangeOptions = {}) =>
      this.written(
        await this.call('post', '/v1/zt-policy/policies/{id}/rollback', {
          ...this.change(options),
          params: { id },
          body: { version },
        }),
      ),
    versions: async (id: string, options: CallOptions = {}) =>
      (await this.call('get', '/v1/zt-policy/policies/{id}/versions', { ...options, params: { id } })).data,
    validate: async (
      policy: RequestBody<'/v1/zt-policy/policies:validate', 'post'>,
      options: CallOptions = {},
    ) =>
      (
        await this.call('post', '/v1/zt-policy/policies:validate', {
          ...options,
          body: policy,
          idempotent: true,
        })
      ).data,
  };

  /** The principal directory (users, services, workloads, devices and their roles and groups). */
  readonly principals = {
    list: async (query: QueryOf<'/v1/zt-policy/principals', 'get'> = {}, options: CallOptions = {}) =>
      (await this.call('get', '/v1/zt-policy/principals', { ...options, query })).data,
    get: async (id: string, options: CallOptions = {}) =>
      (await this.call('get', '/v1/zt-policy/principals/{id}', { ...options, params: { id } })).data,
    put: async (id: string, principal: PrincipalInput, options: CallOptions = {}) =>
      this.written(
        await this.call('put', '/v1/zt-policy/principals/{id}', {
          ...options,
          params: { id },
          body: principal,
        }),
      ),
    delete: async (id: string, options: CallOptions = {}) =>
      this.written(
        await this.call('delete', '/v1/zt-policy/principals/{id}', { ...options, params: { id } }),
      ),
  };

  /** The resource directory (resources and their properties, by type and id). */
  readonly resources = {
    list: async (query: QueryOf<'/v1/zt-policy/resources', 'get'> = {}, options: CallOptions = {}) =>
      (await this.call('get', '/v1/zt-policy/resources', { ...options, query })).data,
    get: async (type: string, id: string, options: CallOptions = {}) =>
      (await this.call('get', '/v1/zt-policy/resources/{type}/{id}', { ...options, params: { type, id } }))
        .data,
    put: async (type: string, id: string, resource: DirectoryResourceInput, options: CallOptions = {}) =>
      this.written(
        await this.call('put', '/v1/zt-policy/resources/{type}/{id}', {
          ...options,
          params: { type, id },
          body: resource,
        }),
      ),
    delete: async (type: string, id: string, options: CallOptions = {}) =>
      this.written(
        await this.call('delete', '/v1/zt-policy/resources/{type}/{id}', {
          ...options,
          params: { type, id },
        }),
      ),
  };

  /** Atomic change sets of policies, principals and resources. */
  readonly changesets = {
    apply: async (changes: ChangeSet, options: CallOptions = {}) =>
      this.written(await this.call('post', '/v1/zt-policy/changesets', { ...options, body: changes })),
    validate: async (
      changes: RequestBody<'/v1/zt-policy/changesets:validate', 'post'>,
      options: CallOptions = {},
    ) =>
      (
        await this.call('post', '/v1/zt-policy/changesets:validate', {
          ...options,
          body: changes,
          idempotent: true,
        })
      ).data,
    simulate: async (
      changes: RequestBody<'/v1/zt-policy/changesets:simulate', 'post'>,
      options: CallOptions = {},
    ) =>
      (
        await this.call('post', '/v1/zt-policy/changesets:simulate', {
          ...options,
          body: changes,
          idempotent: true,
        })
      ).data,
  };

  /** The audit trail. */
  readonly audit = {
    /** The whole log as JSON Lines (records and signed checkpoints), parsed one object per line. */
    export: async (options: CallOptions = {}): Promise<Record<string, unknown>[]> => {
      const { data } = await this.call('get', '/v1/zt-policy/audit/export', {
        timeoutMs: 30_000,
        ...options,
      });
      return String(data ?? '')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    /** Verifies the hash chain and the signed checkpoints. */
    verify: async (options: CallOptions = {}) =>
      (await this.call('get', '/v1/zt-policy/audit/verify', { timeoutMs: 30_000, ...options })).data,
  };

  /** Closes the connection pool and the decision transport. */
  async close(): Promise<void> {
    await this.decisions.close();
    await this.http.close();
  }

  /** The bearer token of the calling service now (asked of the token function on each call). */
  async bearerToken(): Promise<string | undefined> {
    const token = this.options.token;
    return typeof token === 'function' ? await token() : token;
  }

  /** The deadline of a call that names none. */
  get defaultTimeoutMs(): number {
    return this.timeoutMs;
  }

  /** The call options of a policy write: its reason becomes `Zt-Change-Reason`. */
  private change(options: ChangeOptions, headers: Record<string, string> = {}): CallOptions {
    const { reason, ...call } = options;
    return {
      ...call,
      headers: { ...call.headers, ...headers, ...(reason ? { 'zt-change-reason': reason } : {}) },
    };
  }

  private written<T>(answer: HttpAnswer<T>): Written<T> {
    return { data: answer.data, revision: revisionOf(answer) };
  }
}
