import { SetMetadata } from '@nestjs/common';

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1). */
export type JsonSchema = Record<string, unknown>;

/** One documented response of an operation. */
export interface ApiResponseSpec {
  description: string;
  schema?: JsonSchema;
  /** Default `application/json`; problems are `application/problem+json`. */
  contentType?: string;
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
};

/** A problem response of the given meaning. */
export function problem(description: string): ApiResponseSpec {
  return { description, schema: PROBLEM_SCHEMA, contentType: 'application/problem+json' };
}
