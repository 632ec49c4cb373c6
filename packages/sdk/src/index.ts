// @zt-policy/sdk: the client, its errors and types, and the enforcement point core. The
// framework adapters and the gRPC transport are subpath exports (`@zt-policy/sdk/nest`,
// `/express`, `/fastify`, `/grpc`) so an application loads only what it uses.
export * from './api-types.js';
export {
  type CallInit,
  type CallOptions,
  type ChangeOptions,
  type DecideOptions,
  type DecisionTransport,
  type TokenSource,
  type Written,
  ZtClient,
  type ZtClientOptions,
} from './client.js';
export { isUnavailable, ZtProblemError, ZtUnavailableError } from './errors.js';
export type { HttpAnswer } from './http-transport.js';
export type { BreakerOptions } from './resilience.js';
export type { RetryOptions } from './retry.js';
export { DecisionCache, type DecisionCacheOptions, requestDigest } from './pep/decision-cache.js';
export {
  type AuthorizeRule,
  type DecisionEvent,
  type DecisionSource,
  type Enforcement,
  EnforcementPoint,
  type EnforcementPointOptions,
  type IncomingHeaders,
  type ZtRequestContext,
} from './pep/enforcement-point.js';
export type { Refusal, StepUpOptions } from './pep/refusals.js';
