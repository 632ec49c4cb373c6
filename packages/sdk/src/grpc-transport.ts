// Decisions over gRPC (zt.decision.v1.DecisionService, the project's .proto shipped in proto/),
// with the same deadline, retry and circuit breaker rules as HTTP:
//   new ZtClient({ baseUrl, token, decisions: grpcDecisions({ address: 'pdp:9090' }) })
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { CircuitBreakerPolicy } from 'cockatiel';
import type { Decision, DecisionRequest, Problem } from './api-types.js';
import type { DecideOptions, DecisionTransport, ZtClient } from './client.js';
import { ZtProblemError } from './errors.js';
import { MODULE_DIR } from './module-dir.js';
import {
  AttemptFailure,
  type BreakerOptions,
  createBreaker,
  DEFAULT_BREAKER,
  resilientCall,
} from './resilience.js';
import { DEFAULT_RETRY, parseRetryAfter, type RetryOptions } from './retry.js';
import { fromStruct, type ProtoStruct, toStruct } from './struct.js';

/** How to reach the decision service over gRPC. */
export interface GrpcDecisionsOptions {
  /** host:port of the gRPC listener (the decision service's GRPC_PORT). */
  address: string;
  /** Default: TLS with the system roots when `tls` is true, else plaintext (inside a mesh or for tests). */
  credentials?: grpc.ChannelCredentials;
  tls?: boolean;
  /** Default deadline of a decision, retries included (default: the client's, else 2000 ms). */
  timeoutMs?: number;
  retry?: Partial<RetryOptions>;
  breaker?: Partial<BreakerOptions>;
  /** The folder holding zt/decision/v1/decision.proto (default: the package's proto/). */
  protoDir?: string;
}

interface DecideResponseMessage {
  decision: Decision['decision'];
  decision_id: string;
  revision: number;
  deciding_policies: { id: string; version: number }[];
  reasons: string[];
  user_reasons: string[];
  obligations: ProtoStruct[];
}

type DecideMethod = (
  request: unknown,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: DecideResponseMessage) => void,
) => grpc.ClientUnaryCall;

/** The package's proto/ folder: beside src/ in the sources, two levels up from dist/<format>/. */
export function packagedProtoDir(from = MODULE_DIR): string {
  for (let dir = from, up = 0; up < 4; dir = dirname(dir), up++) {
    if (existsSync(join(dir, 'proto', 'zt', 'decision', 'v1', 'decision.proto'))) return join(dir, 'proto');
  }
  throw new Error(`proto/zt/decision/v1/decision.proto not found above ${from}`);
}

const HTTP_STATUS_OF: Partial<Record<grpc.status, number>> = {
  [grpc.status.INVALID_ARGUMENT]: 400,
  [grpc.status.UNAUTHENTICATED]: 401,
  [grpc.status.PERMISSION_DENIED]: 403,
  [grpc.status.NOT_FOUND]: 404,
  [grpc.status.RESOURCE_EXHAUSTED]: 429,
  [grpc.status.UNAVAILABLE]: 503,
};

/** A gRPC failure classified like an HTTP one, so retries and the breaker treat both alike. */
function failureOf(error: grpc.ServiceError): AttemptFailure {
  const retryAfterSeconds = parseRetryAfter(String(error.metadata?.get('retry-after')[0] ?? ''));
  if (error.code === grpc.status.DEADLINE_EXCEEDED || error.code === grpc.status.CANCELLED) {
    return new AttemptFailure({ kind: 'deadline' }, error);
  }
  // UNAVAILABLE without Retry-After is the channel's own (no connection): a network failure.
  if (error.code === grpc.status.UNAVAILABLE && retryAfterSeconds === undefined) {
    return new AttemptFailure({ kind: 'network' }, error);
  }
  const status = HTTP_STATUS_OF[error.code] ?? 500;
  const problem: Problem = {
    type: 'about:blank',
    title: grpc.status[error.code] ?? 'UNKNOWN',
    status,
    detail: error.details,
    code: grpc.status[error.code] ?? 'UNKNOWN',
  };
  return new AttemptFailure(
    { kind: 'status', status, retryAfterSeconds },
    new ZtProblemError(status, problem, retryAfterSeconds),
  );
}

function messageOf(request: DecisionRequest, minRevision: number | undefined): Record<string, unknown> {
  const { subject, resource, context } = request;
  return {
    ...(subject
      ? { subject: { ...subject, attributes: subject.attributes && toStruct(subject.attributes) } }
      : {}),
    action: request.action,
    resource: { ...resource, attributes: resource.attributes && toStruct(resource.attributes) },
    ...(context ? { context: toStruct(context) } : {}),
    ...(minRevision ? { min_revision: String(minRevision) } : {}),
  };
}

function decisionOf(message: DecideResponseMessage): Decision {
  return {
    decision: message.decision,
    decision_id: message.decision_id,
    revision: Number(message.revision),
    decidingPolicies: message.deciding_policies.map((p) => ({ id: p.id, version: p.version })),
    reasons: message.reasons,
    userReasons: message.user_reasons,
    obligations: message.obligations.map((o) => fromStruct(o) as Decision['obligations'][number]),
  };
}

class GrpcDecisions implements DecisionTransport {
  private readonly stub: grpc.Client & { Decide: DecideMethod };
  private readonly breaker: CircuitBreakerPolicy;
  private readonly retry: RetryOptions;

  constructor(
    private readonly options: GrpcDecisionsOptions,
    private readonly client: ZtClient | undefined,
  ) {
    const protoDir = options.protoDir ?? packagedProtoDir();
    const definition = protoLoader.loadSync('zt/decision/v1/decision.proto', {
      includeDirs: [protoDir],
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as {
      zt: { decision: { v1: { DecisionService: grpc.ServiceClientConstructor } } };
    };
    const credentials =
      options.credentials ?? (options.tls ? grpc.credentials.createSsl() : grpc.credentials.createInsecure());
    this.stub = new loaded.zt.decision.v1.DecisionService(
      options.address,
      credentials,
    ) as unknown as grpc.Client & {
      Decide: DecideMethod;
    };
    this.breaker = createBreaker({ ...DEFAULT_BREAKER, ...options.breaker });
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
  }

  async decide(request: DecisionRequest, options: DecideOptions): Promise<Decision> {
    const token = options.token ?? (await this.client?.bearerToken());
    const metadata = new grpc.Metadata();
    if (token) metadata.set('authorization', `Bearer ${token}`);
    for (const [name, value] of Object.entries(options.headers ?? {}))
      metadata.set(name.toLowerCase(), value);
    const message = messageOf(request, options.minRevision);
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? this.client?.defaultTimeoutMs ?? 2000;
    const answer = await resilientCall(
      this.breaker,
      { timeoutMs, idempotent: true, signal: options.signal, retry: this.retry },
      (signal) =>
        new Promise<DecideResponseMessage>((done, fail) => {
          const call = this.stub.Decide(
            message,
            metadata,
            { deadline: Date.now() + timeoutMs },
            (error, response) => {
              signal.removeEventListener('abort', cancel);
              if (error) fail(failureOf(error));
              else done(response as DecideResponseMessage);
            },
          );
          const cancel = () => call.cancel();
          signal.addEventListener('abort', cancel, { once: true });
        }),
    );
    return decisionOf(answer);
  }

  close(): Promise<void> {
    this.stub.close();
    return Promise.resolve();
  }
}

/**
 * Decisions over gRPC for a ZtClient (`decisions: grpcDecisions({ address })`): the client's
 * token, deadline and read-your-writes apply; the breaker is the transport's own.
 */
export function grpcDecisions(options: GrpcDecisionsOptions): (client: ZtClient) => DecisionTransport {
  return (client) => new GrpcDecisions(options, client);
}
