// Names for the parts of the generated OpenAPI types a client works with, so the rest of the SDK
// reads `RequestBody<'/v1/zt-policy/decisions', 'post'>` instead of indexing the generated tree.
import type { paths } from './generated/openapi.js';

export type { paths } from './generated/openapi.js';

/** The HTTP methods the API uses. */
export type HttpMethod = 'get' | 'put' | 'post' | 'delete';

/** Every path of the API. */
export type ApiPath = keyof paths;

/** The paths that have an operation for `M`. */
export type PathWith<M extends HttpMethod> = {
  [P in ApiPath]: paths[P][M] extends { responses: unknown } ? P : never;
}[ApiPath];

/** The generated description of one operation. */
export type Operation<P extends ApiPath, M extends HttpMethod> = NonNullable<paths[P][M]>;

type JsonOf<C> = C extends { content: { 'application/json': infer T } } ? T : undefined;

/** The JSON body an operation takes (`undefined` when it takes none). */
export type RequestBody<P extends ApiPath, M extends HttpMethod> =
  Operation<P, M> extends { requestBody: infer B } ? JsonOf<B> : undefined;

type SuccessStatus = 200 | 201 | 202 | 204;

/** The JSON body of an operation's success answer (`undefined` for 204). */
export type ResponseBody<P extends ApiPath, M extends HttpMethod> =
  Operation<P, M> extends { responses: infer R }
    ? { [S in keyof R & SuccessStatus]: JsonOf<R[S]> }[keyof R & SuccessStatus]
    : never;

/** The query parameters of an operation. */
export type QueryOf<P extends ApiPath, M extends HttpMethod> =
  Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/** A problem+json body, as every refusal of the API is written. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  correlationId?: string;
  errors?: { pointer: string; detail: string }[];
  [member: string]: unknown;
}

/** The native decision request (`POST /v1/zt-policy/decisions`). */
export type DecisionRequest = NonNullable<RequestBody<'/v1/zt-policy/decisions', 'post'>>;

/** The native decision answer over HTTP. */
export type DecisionResponse = NonNullable<ResponseBody<'/v1/zt-policy/decisions', 'post'>>;

/** One of the four effects a decision can have. */
export type Effect = DecisionResponse['decision'];

/**
 * What every transport answers (HTTP and gRPC): the decision, its id and revision, and what the
 * enforcement point needs. The explanation of candidates and audit-mode policies is HTTP only.
 */
export type Decision = Pick<
  DecisionResponse,
  'decision' | 'decision_id' | 'revision' | 'decidingPolicies' | 'reasons' | 'userReasons' | 'obligations'
> &
  Partial<Pick<DecisionResponse, 'candidates' | 'audit' | 'as_of'>>;

/** The AuthZEN evaluation request and answer (`POST /access/v1/evaluation`). */
export type EvaluationRequest = RequestBody<'/access/v1/evaluation', 'post'>;
export type EvaluationResponse = ResponseBody<'/access/v1/evaluation', 'post'>;
export type EvaluationsRequest = RequestBody<'/access/v1/evaluations', 'post'>;
export type EvaluationsResponse = ResponseBody<'/access/v1/evaluations', 'post'>;

/** A policy as the administration API takes and answers it. */
export type PolicyInput = RequestBody<'/v1/zt-policy/policies', 'post'>;
export type Policy = ResponseBody<'/v1/zt-policy/policies/{id}', 'get'>;
export type Principal = ResponseBody<'/v1/zt-policy/principals/{id}', 'get'>;
export type PrincipalInput = RequestBody<'/v1/zt-policy/principals/{id}', 'put'>;
export type DirectoryResource = ResponseBody<'/v1/zt-policy/resources/{type}/{id}', 'get'>;
export type DirectoryResourceInput = RequestBody<'/v1/zt-policy/resources/{type}/{id}', 'put'>;
export type ChangeSet = RequestBody<'/v1/zt-policy/changesets', 'post'>;
export type AuditVerification = ResponseBody<'/v1/zt-policy/audit/verify', 'get'>;
