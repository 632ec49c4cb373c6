import type { ApiOperationSpec, JsonSchema } from './api-operation';
import { problem } from './api-operation';

/** A route as the server registered it, with its documentation when it has any. */
export interface DocumentedRoute {
  method: string;
  /** Nest's path: `v1/zt-policy/policies/:id`, `v1/zt-policy/policies::validate`. */
  path: string;
  isPublic: boolean;
  spec?: ApiOperationSpec;
}

/** Nest/Fastify path syntax to OpenAPI's: `:id` becomes `{id}`, `::` a literal colon. */
export function openApiPath(path: string): { path: string; params: string[] } {
  const params: string[] = [];
  // `::` is a literal colon; a single `:` starts a parameter.
  const converted = `/${path.replace(/^\/+/, '')}`
    .split('::')
    .map((part) =>
      part.replace(/:([A-Za-z0-9_]+)/g, (_m, name: string) => {
        params.push(name);
        return `{${name}}`;
      }),
    )
    .join(':');
  return { path: converted.replace(/\/+$/, '') || '/', params };
}

function response(spec: {
  description: string;
  schema?: JsonSchema;
  contentType?: string;
  headers?: Record<string, string>;
}) {
  return {
    description: spec.description,
    ...(spec.headers
      ? {
          headers: Object.fromEntries(
            Object.entries(spec.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }]),
          ),
        }
      : {}),
    ...(spec.schema
      ? { content: { [spec.contentType ?? 'application/json']: { schema: spec.schema } } }
      : {}),
  };
}

const OVERLOADED = 'Past capacity (OVERLOADED): refused before anything was done; Retry-After';
const NEVER_REFUSED = new Set(['/healthz', '/readyz', '/metrics']);

/** The 503 of a route admission control may refuse, merged with a 503 the route declares itself. */
function overloadResponse(declared: { description: string } | undefined): Record<string, unknown> {
  const description = declared ? `${declared.description}; or: ${OVERLOADED}` : OVERLOADED;
  return response({ ...problem(description), headers: { 'retry-after': 'Seconds to wait before retrying' } });
}

/**
 * Builds the OpenAPI 3.1 document from the routes the server really has. A route without
 * documentation still appears (with only its problems), so nothing the server accepts is hidden.
 * With `admission`, every route but the health endpoints may also answer 503 OVERLOADED.
 */
export function buildOpenApiDocument(
  routes: DocumentedRoute[],
  info: { title: string; version: string },
  options: { admission?: boolean } = {},
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const { path, params } = openApiPath(route.path);
    const spec = route.spec;
    const responses: Record<string, unknown> = {};
    for (const [status, r] of Object.entries(spec?.responses ?? {})) responses[status] = response(r);
    if (!route.isPublic) {
      responses['401'] ??= response(problem('Missing or invalid bearer token'));
      responses['403'] ??= response(problem('A role or multi-factor authentication is missing'));
    }
    responses['500'] ??= response(problem('Unexpected error; see the service log by correlation id'));
    if (options.admission && !NEVER_REFUSED.has(path))
      responses['503'] = overloadResponse(spec?.responses[503]);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = {
      operationId: `${route.method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c?: string) => (c ? c.toUpperCase() : ''))}`,
      summary: spec?.summary ?? '',
      tags: spec ? [spec.tag] : [],
      parameters: [
        ...params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
        ...Object.entries(spec?.query ?? {}).map(([name, q]) => ({
          name,
          in: 'query',
          required: false,
          description: q.description,
          schema: q.schema,
        })),
        ...Object.entries(spec?.headers ?? {}).map(([name, description]) => ({
          name,
          in: 'header',
          required: false,
          description,
          schema: { type: 'string' },
        })),
      ],
      ...(spec?.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: spec.body.schema } } } }
        : {}),
      responses,
      security: route.isPublic ? [] : [{ bearer: [] }],
    };
  }
  return {
    openapi: '3.1.0',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (ES256)' } },
    },
    paths,
  };
}
