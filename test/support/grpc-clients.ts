import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const PROTO = join(__dirname, '..', '..', 'proto');

/** A unary call as a promise, with metadata. */
export type Unary<Req, Res> = (request: Req, metadata?: Record<string, string>) => Promise<Res>;

function unary<Req, Res>(client: grpc.Client, method: string): Unary<Req, Res> {
  return (request, metadata = {}) =>
    new Promise((resolve, reject) => {
      const md = new grpc.Metadata();
      for (const [k, v] of Object.entries(metadata)) md.set(k, v);
      const fn = (client as unknown as Record<string, unknown>)[method] as (
        req: Req,
        md: grpc.Metadata,
        cb: (error: grpc.ServiceError | null, res: Res) => void,
      ) => void;
      fn.call(client, request, md, (error, response) => (error ? reject(error) : resolve(response)));
    });
}

/**
 * The package definition of Envoy's envoy.service.auth.v3 (the definitions Envoy and Istio are
 * compiled from) and ours, loaded as an outside caller would load them.
 */
export function decisionProtos(): protoLoader.PackageDefinition {
  return protoLoader.loadSync(
    ['envoy/service/auth/v3/external_auth.proto', 'zt/decision/v1/decision.proto'],
    {
      includeDirs: [join(PROTO, 'third_party'), PROTO],
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    },
  );
}

/**
 * gRPC clients built from the .proto files as an outside caller would build them: Envoy's own
 * definitions of envoy.service.auth.v3 (the ones Envoy and Istio are compiled from) and ours.
 */
export function grpcClients(address: string): {
  check: Unary<Record<string, unknown>, Record<string, unknown>>;
  decide: Unary<Record<string, unknown>, Record<string, unknown>>;
  close(): void;
} {
  const definition = decisionProtos();
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    envoy: { service: { auth: { v3: { Authorization: grpc.ServiceClientConstructor } } } };
    zt: { decision: { v1: { DecisionService: grpc.ServiceClientConstructor } } };
  };
  const credentials = grpc.credentials.createInsecure();
  const authorization = new loaded.envoy.service.auth.v3.Authorization(address, credentials);
  const decisions = new loaded.zt.decision.v1.DecisionService(address, credentials);
  return {
    check: unary(authorization, 'Check'),
    decide: unary(decisions, 'Decide'),
    close() {
      authorization.close();
      decisions.close();
    },
  };
}
