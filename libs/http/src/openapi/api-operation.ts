import { SetMetadata } from '@nestjs/common';

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1). */
export type JsonSchema = Record<string, unknown>;

/** One documented response of an operation. */
export interface ApiResponseSpec {
  description: string;
  schema?: JsonSchema;
  /** Default `application/json`; problems are `application/problem+json`; a list for several. */
  contentType?: string | string[];
  headers?: Record<string, string>;
}

/** What the OpenAPI document says about one route, declared beside the route itself. */
export interface ApiOperationSpec {
  summary: string;
  tag: string;
  body?: { schema: JsonSchema; description?: string };
  query?: Record<string, { schema: JsonSchema; description: string }>;
  headers?: Record<string, string>;
  responses: Record<number, ApiResponseSpec>;
}

export const API_OPERATION_KEY = 'zt:api-operation';

/** Documents a route for /openapi.json; the path, method and parameters come from the route. */
export const ApiOperation = (spec: ApiOperationSpec): MethodDecorator => SetMetadata(API_OPERATION_KEY, spec);

/** RFC 9457 problem details, as every error response carries them. */
export const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    instance: { type: 'string' },
    correlationId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['pointer', 'detail'],
        properties: { pointer: { type: 'string' }, detail: { type: 'string' } },
      },
    },
  },
  // A problem may carry members of its own (RFC 9457 extensions).
  additionalProperties: true,
};

/** A JSON Web Key Set (RFC 7517) of public keys; members other than these may appear. */
export const JWKS_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['keys'],
  properties: {
    keys: {
      type: 'array',
      items: {
        type: 'object',
        required: ['kty'],
        properties: {
          kty: { type: 'string' },
          kid: { type: 'string' },
          alg: { type: 'string' },
          use: { type: 'string' },
          crv: { type: 'string' },
          x: { type: 'string' },
          y: { type: 'string' },
        },
        additionalProperties: true,
      },
    },
  },
};

/** A problem response of the given meaning. */
export function problem(description: string): ApiResponseSpec {
  return { description, schema: PROBLEM_SCHEMA, contentType: 'application/problem+json' };
}

/** The 429 of an operation under the per-caller rate limit (RATE_LIMIT_PER_SECOND). */
export const RATE_LIMITED: ApiResponseSpec = {
  ...problem("Over the caller's rate limit (RATE_LIMIT_PER_SECOND): nothing was done; Retry-After"),
  headers: { 'retry-after': 'Seconds to wait before retrying' },
};
