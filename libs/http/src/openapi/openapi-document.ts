import type { ApiOperationSpec, ApiResponseSpec, JsonSchema } from './api-operation';
import { defaultResponses } from './default-responses';
import { undefinedRequiredMembers, withExplicitFreeForm } from './schema-shape';

/** A route as the server registered it, with its documentation when it has any. */
export interface DocumentedRoute {
  method: string;
  /** Nest's path: `v1/zt-policy/policies/:id`, `v1/zt-policy/policies::validate`. */
  path: string;
  isPublic: boolean;
  spec?: ApiOperationSpec;
}

/** Where the documented API is served: `servers` of the document. */
export interface ApiServer {
  url: string;
  description?: string;
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

/** `postV1ZtPolicyPoliciesIdRestore`: the method, then the path in camel case. */
export function operationIdOf(method: string, path: string): string {
  return `${method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c?: string) => (c ? c.toUpperCase() : ''))}`;
}

function response(spec: ApiResponseSpec): Record<string, unknown> {
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
      ? {
          content: Object.fromEntries(
            [spec.contentType ?? 'application/json']
              .flat()
              .map((type) => [type, { schema: withExplicitFreeForm(spec.schema ?? {}) }]),
          ),
        }
      : {}),
  };
}

function operation(route: DocumentedRoute, admission: boolean): { path: string; operation: object } {
  const { path, params } = openApiPath(route.path);
  const spec = route.spec;
  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(spec?.responses ?? {})) responses[status] = response(r);
  const defaults = defaultResponses({
    path,
    isPublic: route.isPublic,
    admission,
    hasBody: spec?.body !== undefined,
    hasQuery: Object.keys(spec?.query ?? {}).length > 0,
    hasPathParameters: params.length > 0,
    declared: spec?.responses ?? {},
  });
  for (const [status, r] of Object.entries(defaults)) responses[status] = response(r);
  return {
    path,
    operation: {
      operationId: operationIdOf(route.method, path),
      summary: spec?.summary ?? '',
      tags: spec ? [spec.tag] : [],
      parameters: [
        ...params.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } })),
        ...Object.entries(spec?.query ?? {}).map(([name, q]) => ({
          name,
          in: 'query',
          required: false,
          description: q.description,
          schema: withExplicitFreeForm(q.schema),
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
        ? {
            requestBody: {
              required: true,
              ...(spec.body.description ? { description: spec.body.description } : {}),
              content: { 'application/json': { schema: withExplicitFreeForm(spec.body.schema) } },
            },
          }
        : {}),
      responses,
      security: route.isPublic ? [] : [{ bearer: [] }],
    },
  };
}

/**
 * Builds the OpenAPI 3.1 document from the routes the server really has. A route without
 * documentation still appears (with only its problems), so nothing the server accepts is hidden.
 * Every operation documents the refusals it can meet (see {@link defaultResponses}); with
 * `admission`, every route but the health endpoints may also answer 503 OVERLOADED.
 */
export function buildOpenApiDocument(
  routes: DocumentedRoute[],
  info: { title: string; version: string },
  options: { admission?: boolean; servers?: ApiServer[] } = {},
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const { path, operation: op } = operation(route, options.admission === true);
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    ...(options.servers?.length ? { servers: options.servers } : {}),
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (ES256)' } },
    },
    paths,
  };
}

type Media = { schema?: JsonSchema };
type DocumentedOperation = {
  parameters?: { name: string; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, Media> };
  responses?: Record<string, { content?: Record<string, Media> }>;
};

/**
 * Every schema of a document that lists `required` members it does not define, as
 * `METHOD path pointer: members`. A generated client cannot read such members; empty is good.
 */
export function undefinedMembersOfDocument(document: {
  paths?: Record<string, Record<string, DocumentedOperation>>;
}): string[] {
  const found: string[] = [];
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    for (const [method, op] of Object.entries(operations)) {
      const where = `${method.toUpperCase()} ${path}`;
      const schemas: [string, unknown][] = [
        ...(op.parameters ?? []).map((p): [string, unknown] => [`parameter ${p.name}`, p.schema]),
        ...Object.entries(op.requestBody?.content ?? {}).map(([type, m]): [string, unknown] => [
          `body ${type}`,
          m.schema,
        ]),
        ...Object.entries(op.responses ?? {}).flatMap(([status, r]) =>
          Object.entries(r.content ?? {}).map(([type, m]): [string, unknown] => [
            `${status} ${type}`,
            m.schema,
          ]),
        ),
      ];
      for (const [part, schema] of schemas) {
        for (const problem of undefinedRequiredMembers(schema)) found.push(`${where} ${part} ${problem}`);
      }
    }
  }
  return found;
}
