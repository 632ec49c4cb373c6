import type { ServiceDefinition } from '@grpc/grpc-js';
import type { FieldError } from '@zt/http';

const UNDECODABLE = Symbol('undecodable request');

/** A request message protobuf could not decode, handed to the handler in its place. */
interface Undecodable {
  [UNDECODABLE]: string;
}

/**
 * The service with request decoding that never throws: a message protobuf refuses (nested deeper
 * than its 100-message limit, such as a Struct nested thousands of levels, or not protobuf at
 * all) reaches the handler as a marker instead. gRPC would answer INTERNAL by itself; the handler
 * can answer it as the caller's fault (INVALID_ARGUMENT, or a 400 denial for ext_authz).
 */
export function withTolerantDecoding(service: ServiceDefinition): ServiceDefinition {
  const methods = Object.entries(service).map(([name, method]) => {
    const decode = method.requestDeserialize;
    const requestDeserialize = (bytes: Buffer): unknown => {
      try {
        return decode(bytes);
      } catch (error) {
        // Words of our own: neither the bytes nor protobufjs's message reach the caller.
        const nested = error instanceof Error && /nesting depth/.test(error.message);
        const reason = nested
          ? 'is nested deeper than protobuf decoding allows (100 message levels)'
          : 'is not a valid protobuf message of this method';
        return { [UNDECODABLE]: reason } satisfies Undecodable;
      }
    };
    return [name, { ...method, requestDeserialize }];
  });
  return Object.fromEntries(methods) as ServiceDefinition;
}

/** The field error of a request that could not be decoded, or undefined for a decoded request. */
export function undecodableError(request: unknown): FieldError | undefined {
  if (typeof request !== 'object' || request === null || !(UNDECODABLE in request)) return undefined;
  return { pointer: '', detail: `the request message ${(request as Undecodable)[UNDECODABLE]}` };
}
