import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { bearerToken, Principal, TokenVerifier } from '@zt/auth';
import { APP_CONFIG, AppConfig } from '@zt/config';
import { ProblemError } from '@zt/http';
import { parseMinRevision } from '../decisions/decision-call';
import { DecisionBody, DecisionResponse, DecisionsService } from '../decisions/decisions.service';
import {
  bearerOf,
  CheckRequestMessage,
  CheckResponseMessage,
  checkRefusalOf,
  checkResponseOf,
  decisionBodyOf,
} from './ext-authz.mapping';
import { protoRoot } from './proto-path';
import { jsonToStruct, ProtoStruct, structToJson } from './protobuf-struct';

interface DecideRequestMessage {
  subject?: {
    type: string;
    id: string;
    roles: string[];
    groups: string[];
    attributes?: ProtoStruct | null;
  } | null;
  action: string;
  resource?: { type: string; id: string; attributes?: ProtoStruct | null } | null;
  context?: ProtoStruct | null;
  min_revision: string;
}

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

/** A problem as a gRPC error; field errors are named in the message. */
function grpcErrorOf(error: unknown): Partial<grpc.StatusObject> {
  if (error instanceof ProblemError) {
    const fields = (error.extra.errors ?? []).map((e) => `${e.pointer} ${e.detail}`).join('; ');
    return { code: grpcCodeOf(error.status), details: fields ? `${error.detail} ${fields}` : error.detail };
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

  constructor(
    private readonly decisions: DecisionsService,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The port the server listens on (useful when GRPC_PORT is 0); 0 when disabled. */
  get port(): number {
    return this.boundPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.GRPC_ENABLED) return;
    const root = protoRoot();
    const definition = protoLoader.loadSync(
      ['zt/decision/v1/decision.proto', 'envoy/service/auth/v3/external_auth.proto'],
      {
        includeDirs: [root, `${root}/third_party`],
        keepCase: true,
        longs: String,
        enums: String,
        defaults: true,
        oneofs: true,
      },
    );
    const loaded = grpc.loadPackageDefinition(definition) as unknown as {
      zt: { decision: { v1: { DecisionService: grpc.ServiceClientConstructor } } };
      envoy: { service: { auth: { v3: { Authorization: grpc.ServiceClientConstructor } } } };
    };
    this.server = new grpc.Server({
      'grpc.max_receive_message_length': this.config.MAX_BODY_BYTES,
      'grpc.max_send_message_length': 4 * this.config.MAX_BODY_BYTES,
    });
    this.server.addService(loaded.zt.decision.v1.DecisionService.service, {
      Decide: (
        call: grpc.ServerUnaryCall<DecideRequestMessage, unknown>,
        callback: grpc.sendUnaryData<unknown>,
      ) => {
        this.decide(call).then(
          (response) => callback(null, response),
          (error: unknown) => callback(grpcErrorOf(error)),
        );
      },
    });
    this.server.addService(loaded.envoy.service.auth.v3.Authorization.service, {
      Check: (
        call: grpc.ServerUnaryCall<CheckRequestMessage, unknown>,
        callback: grpc.sendUnaryData<unknown>,
      ) => {
        this.check(call.request).then(
          (response) => callback(null, response),
          (error: unknown) => {
            this.logger.error(`ext_authz check failed: ${String(error)}`);
            callback(grpcErrorOf(error));
          },
        );
      },
    });
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

  private async principalOf(token: string | undefined): Promise<Principal> {
    if (!token) throw new ProblemError(401, 'UNAUTHENTICATED', 'a bearer token is required');
    return this.verifier.verify(token);
  }

  private async decide(call: grpc.ServerUnaryCall<DecideRequestMessage, unknown>): Promise<unknown> {
    const principal = await this.principalOf(bearerToken(metadataValue(call.metadata, 'authorization')));
    const message = call.request;
    const body: Record<string, unknown> = { action: message.action };
    if (message.subject) {
      body.subject = {
        ...(message.subject.type ? { type: message.subject.type } : {}),
        id: message.subject.id,
        roles: message.subject.roles,
        groups: message.subject.groups,
        attributes: structToJson(message.subject.attributes) ?? {},
      };
    }
    if (message.resource) {
      body.resource = {
        ...(message.resource.type ? { type: message.resource.type } : {}),
        id: message.resource.id,
        attributes: structToJson(message.resource.attributes) ?? {},
      };
    }
    const context = structToJson(message.context);
    if (context) body.context = context;
    const fromBody = Number(message.min_revision) > 0 ? Number(message.min_revision) : undefined;
    const minRevision =
      parseMinRevision(metadataValue(call.metadata, 'zt-min-revision'), '/metadata/zt-min-revision') ??
      fromBody;
    const response: DecisionResponse = await this.decisions.decide(body, principal, {
      correlationId: metadataValue(call.metadata, 'x-correlation-id'),
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

  private async check(request: CheckRequestMessage): Promise<CheckResponseMessage> {
    let principal: Principal;
    try {
      principal = await this.principalOf(bearerOf(request));
    } catch (error) {
      if (error instanceof ProblemError && error.status === 401) return checkRefusalOf(401, error.detail);
      throw error;
    }
    const body: DecisionBody = decisionBodyOf(request);
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
