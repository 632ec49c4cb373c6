import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { bearerToken, Principal, TokenVerifier } from '@zt/auth';
import { APP_CONFIG, AppConfig } from '@zt/config';
import {
  AdmissionApi,
  AdmissionControl,
  correlationIdFrom,
  overloadedProblem,
  ProblemError,
  validationProblem,
} from '@zt/http';
import { ReadinessRegistry } from '@zt/observability';
import { parseMinRevision } from '../decisions/decision-call';
import { DecisionBody, DecisionResponse, DecisionsService } from '../decisions/decisions.service';
import { decideBodyOf, DecideRequestMessage, decideRequestProblems } from './decide-request.mapping';
import { EnforcementRefusals } from '../http-check/enforcement-refusals';
import { RouteTable } from '../http-check/route-table';
import {
  bearerOf,
  CheckRequestMessage,
  checkAmbiguousOf,
  checkInvalidOf,
  checkRefusalOf,
  checkRequestProblems,
  CheckResponseMessage,
  checkResponseOf,
  clippedPointer,
  decisionBodyOf,
  sourcePrincipalOf,
} from './ext-authz.mapping';
import { GrpcHealth } from './grpc-health';
import { reflectableDefinition } from './reflectable-definition';
import { workloadPrincipal } from './workload-principal';
import { protoRoot } from './proto-path';
import { jsonToStruct } from './protobuf-struct';
import { undecodableError, withTolerantDecoding } from './undecodable-request';

// The services whose health grpc.health.v1.Health reports (besides the whole server's).
const SERVED = ['zt.decision.v1.DecisionService', 'envoy.service.auth.v3.Authorization'];

/** HTTP problem statuses as gRPC status codes. */
function grpcCodeOf(status: number): grpc.status {
  switch (status) {
    case 400:
      return grpc.status.INVALID_ARGUMENT;
    case 401:
      return grpc.status.UNAUTHENTICATED;
    case 403:
      return grpc.status.PERMISSION_DENIED;
    case 429:
      return grpc.status.RESOURCE_EXHAUSTED;
    case 503:
      return grpc.status.UNAVAILABLE;
    default:
      return grpc.status.INTERNAL;
  }
}

// The message travels as an HTTP/2 trailer: kept well under the 8 KiB a client accepts by default.
const MAX_DETAILS = 2_048;

/**
 * A pointer as text for the gRPC message: clipped, and with control characters and lone
 * surrogates escaped as JSON escapes them (a pointer holds a refused member name as it was; the
 * message is percent-encoded by grpc-js, which throws on a lone surrogate).
 */
function printablePointer(pointer: string): string {
  return JSON.stringify(clippedPointer(pointer)).slice(1, -1);
}

/**
 * The message clipped to MAX_DETAILS without splitting a surrogate pair: grpc-js percent-encodes
 * it with encodeURI, which throws on half a pair, and that throw, inside the call's callback,
 * would end the whole process.
 */
export function clippedDetails(details: string): string {
  if (details.length <= MAX_DETAILS) return details;
  const last = details.charCodeAt(MAX_DETAILS - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? MAX_DETAILS - 1 : MAX_DETAILS;
  return `${details.slice(0, end)}…`;
}

/**
 * Answers a unary call with what `answer` resolves to, or with its error as a gRPC error. A
 * failure to send (the library refusing the answer) is logged and answered as an internal error
 * rather than left to escape as an unhandled rejection, which would end the process.
 */
function respond(
  logger: Logger,
  answer: Promise<unknown>,
  callback: grpc.sendUnaryData<unknown>,
  onError?: (error: unknown) => void,
): void {
  answer
    .then(
      (response) => callback(null, response),
      (error: unknown) => {
        onError?.(error);
        callback(grpcErrorOf(error));
      },
    )
    .catch((error: unknown) => {
      logger.error(`could not send a gRPC answer: ${String(error)}`);
      try {
        callback({ code: grpc.status.INTERNAL, details: 'internal error' });
      } catch {
        // The call is beyond answering; the client's deadline ends it.
      }
    });
}

/**
 * A problem as a gRPC error; field errors are named in the message by their pointers. A refusal
 * by admission control is RESOURCE_EXHAUSTED (not UNAVAILABLE, which clients retry at once on
 * another connection) with its Retry-After as a `retry-after` trailer.
 */
export function grpcErrorOf(error: unknown): Partial<grpc.StatusObject> {
  if (error instanceof ProblemError) {
    const fields = (error.extra.errors ?? [])
      .map((e) => `${printablePointer(e.pointer)} ${e.detail}`)
      .join('; ');
    const details = fields ? `${error.detail} ${fields}` : error.detail;
    const retryAfter = error.extra.headers?.['retry-after'];
    const metadata = new grpc.Metadata();
    if (retryAfter !== undefined) metadata.set('retry-after', retryAfter);
    return {
      code: error.code === 'OVERLOADED' ? grpc.status.RESOURCE_EXHAUSTED : grpcCodeOf(error.status),
      details: clippedDetails(details),
      metadata,
    };
  }
  return { code: grpc.status.INTERNAL, details: 'internal error' };
}

function metadataValue(metadata: grpc.Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The decision point over gRPC, beside HTTP: our own `zt.decision.v1.DecisionService` and Envoy's
 * `envoy.service.auth.v3.Authorization/Check`, so Envoy or Istio can use it as an external
 * authorizer. Both go through the same {@link DecisionsService} as the HTTP APIs. Check never
 * fails open: an error becomes a gRPC error, which Envoy treats as a denial unless told otherwise.
 */
@Injectable()
export class DecisionGrpcServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('DecisionGrpcServer');
  private server: grpc.Server | undefined;
  private boundPort = 0;
  private health: GrpcHealth | undefined;

  constructor(
    private readonly decisions: DecisionsService,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly admission: AdmissionControl,
    private readonly routes: RouteTable,
    private readonly readiness: ReadinessRegistry,
    private readonly refusals: EnforcementRefusals,
  ) {}

  /** The port the server listens on (useful when GRPC_PORT is 0); 0 when disabled. */
  get port(): number {
    return this.boundPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.GRPC_ENABLED) return;
    const root = protoRoot();
    const options: protoLoader.Options = {
      includeDirs: [root, `${root}/third_party`],
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    };
    const definition = protoLoader.loadSync(
      ['zt/decision/v1/decision.proto', 'envoy/service/auth/v3/external_auth.proto'],
      options,
    );
    const loaded = grpc.loadPackageDefinition(definition) as unknown as {
      zt: { decision: { v1: { DecisionService: grpc.ServiceClientConstructor } } };
      envoy: { service: { auth: { v3: { Authorization: grpc.ServiceClientConstructor } } } };
    };
    this.server = new grpc.Server({
      'grpc.max_receive_message_length': this.config.MAX_BODY_BYTES,
      'grpc.max_send_message_length': 4 * this.config.MAX_BODY_BYTES,
    });
    this.server.addService(withTolerantDecoding(loaded.zt.decision.v1.DecisionService.service), {
      Decide: (
        call: grpc.ServerUnaryCall<DecideRequestMessage, unknown>,
        callback: grpc.sendUnaryData<unknown>,
      ) => {
        respond(
          this.logger,
          this.admitted('grpc_decide', () => this.decide(call)),
          callback,
        );
      },
    });
    this.server.addService(withTolerantDecoding(loaded.envoy.service.auth.v3.Authorization.service), {
      Check: (
        call: grpc.ServerUnaryCall<CheckRequestMessage, unknown>,
        callback: grpc.sendUnaryData<unknown>,
      ) => {
        respond(
          this.logger,
          this.admitted('grpc_check', () => this.check(call.request)),
          callback,
          (error) => {
            // A refusal is counted and logged (throttled) by admission control, not per call.
            if (!(error instanceof ProblemError && error.code === 'OVERLOADED')) {
              this.logger.error(`ext_authz check failed: ${String(error)}`);
            }
          },
        );
      },
    });
    // Envoy's gRPC health checks and grpcurl: grpc.health.v1.Health following readiness, and
    // server reflection describing every service served here (health included).
    this.health = new GrpcHealth(SERVED, this.readiness, this.logger);
    this.health.start(this.server);
    new ReflectionService(
      reflectableDefinition({ ...definition, ...protoLoader.loadSync(healthProtoPath, options) }),
    ).addToServer(this.server);
    const address = `${this.config.HOST}:${this.config.GRPC_PORT}`;
    this.boundPort = await new Promise<number>((resolve, reject) =>
      this.server!.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    this.logger.log(
      `gRPC (zt.decision.v1.DecisionService, envoy ext_authz) on ${this.config.HOST}:${this.boundPort}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.health?.stop();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 5_000);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  /**
   * Runs `work` if admission control lets the call in, counting it in flight until it settles;
   * past capacity it fails at once with 503 OVERLOADED, sent as RESOURCE_EXHAUSTED. For Check
   * that is a gRPC error, not a denial in a CheckResponse: whether Envoy then lets the request
   * through stays the operator's choice (`failure_mode_allow`).
   */
  private async admitted<T>(api: AdmissionApi, work: () => Promise<T>): Promise<T> {
    if (!this.admission.tryAdmit(api)) throw overloadedProblem();
    try {
      return await work();
    } finally {
      this.admission.release();
    }
  }

  private async principalOf(token: string | undefined): Promise<Principal> {
    if (!token) throw new ProblemError(401, 'UNAUTHENTICATED', 'a bearer token is required');
    return this.verifier.verify(token);
  }

  /**
   * Decide: the request and the metadata it reads are checked with the one input rule before
   * anything else (token verification included) sees them; INVALID_ARGUMENT names each bad field.
   */
  private async decide(call: grpc.ServerUnaryCall<DecideRequestMessage, unknown>): Promise<unknown> {
    const undecodable = undecodableError(call.request);
    if (undecodable) throw validationProblem([undecodable]);
    const metadata = {
      authorization: metadataValue(call.metadata, 'authorization'),
      'x-correlation-id': metadataValue(call.metadata, 'x-correlation-id'),
      'zt-min-revision': metadataValue(call.metadata, 'zt-min-revision'),
    };
    const body = decideBodyOf(call.request);
    const problems = decideRequestProblems(body, metadata);
    if (problems.length > 0) throw validationProblem(problems);
    const principal = await this.principalOf(bearerToken(metadata.authorization));
    const message = call.request;
    // uint64 arrives as text; "0" is the field's default, meaning none. Parsed like the header, so a
    // revision beyond the safe integers is refused rather than rounded and waited for.
    const fromBody =
      message.min_revision === undefined || message.min_revision === '0'
        ? undefined
        : parseMinRevision(message.min_revision, '/min_revision');
    const minRevision =
      parseMinRevision(metadata['zt-min-revision'], '/metadata/zt-min-revision') ?? fromBody;
    const response: DecisionResponse = await this.decisions.decide(body, principal, {
      // The same rule as HTTP's header: a caller's id only when it is a sane one.
      correlationId: correlationIdFrom(metadata['x-correlation-id']),
      minRevision,
    });
    return {
      decision: response.decision,
      decision_id: response.decision_id,
      revision: String(response.revision),
      deciding_policies: response.decidingPolicies,
      reasons: response.reasons,
      user_reasons: response.userReasons,
      obligations: response.obligations.map((o) => jsonToStruct({ ...o })),
    };
  }

  /**
   * Check: a request with a field the input rule refuses is denied with 400, and one whose path
   * is ambiguous with 403, before its token is verified, so nothing hostile reaches the verifier,
   * the engine or the decision log. Without a bearer token, Envoy's mTLS peer identity is the
   * subject when EXT_AUTHZ_TRUST_PEER_PRINCIPAL allows it; otherwise 401.
   */
  private async check(request: CheckRequestMessage): Promise<CheckResponseMessage> {
    const undecodable = undecodableError(request);
    if (undecodable) {
      this.refusals.record('ext_authz', 'invalid_request', `${undecodable.pointer} ${undecodable.detail}`);
      return checkInvalidOf([undecodable]);
    }
    const problems = checkRequestProblems(request);
    if (problems.length > 0) {
      this.refusals.record(
        'ext_authz',
        'invalid_request',
        problems.map((e) => `${e.pointer} ${e.detail}`).join('; '),
      );
      return checkInvalidOf(problems);
    }
    const token = bearerOf(request);
    const peer = this.config.EXT_AUTHZ_TRUST_PEER_PRINCIPAL ? sourcePrincipalOf(request) : undefined;
    const workload = token === undefined ? peer : undefined;
    const mapping = decisionBodyOf(request, this.routes, workload);
    if (!mapping.ok) {
      this.refusals.record('ext_authz', 'ambiguous_path', mapping.reason);
      return checkAmbiguousOf(mapping.reason);
    }
    let principal: Principal;
    try {
      principal = workload !== undefined ? workloadPrincipal(workload) : await this.principalOf(token);
    } catch (error) {
      if (error instanceof ProblemError && error.status === 401) return checkRefusalOf(401, error.detail);
      throw error;
    }
    const body: DecisionBody = mapping.body;
    try {
      return checkResponseOf(await this.decisions.decideRequest(body, principal, {}));
    } catch (error) {
      if (error instanceof ProblemError && error.status === 429) {
        return checkRefusalOf(429, error.detail, error.extra.headers?.['retry-after']);
      }
      throw error;
    }
  }
}
