import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import { FieldError, schemaFieldErrors } from '@zt/http';
import { normalizeRequestPath } from './request-path';
import { pathParts, RouteTrie, Segment, TrieRoute } from './route-trie';

/**
 * The route table: how an HTTP request checked by ext_authz or forward-auth becomes a decision's
 * action and resource. A versioned JSON file named by ROUTES_FILE (docs/enforcement-http.md):
 *
 *   {"version": 1, "routes": [
 *     {"method": "DELETE", "path": "/todos/{id}", "action": "delete",
 *      "resource": {"type": "todo", "id": "{id}"}}]}
 *
 * Path templates are matched against the normalized path (request-path.ts), segment by segment:
 * a literal segment matches itself, `{name}` matches any one segment, and a last `{name...}`
 * matches one or more remaining segments (its value keeps their `/`). A request no route matches
 * gets the fixed mapping (action = method, resource `http` `host+path`).
 */

/** One route as written in the file. */
export interface RouteSpec {
  /** A method (`GET`), a list of methods, or absent for any method. */
  method?: string | string[];
  /** Only requests for this host (lower case, no port); absent for any host. */
  host?: string;
  path: string;
  action: string;
  resource: { type: string; id: string };
}

/** The route file: a format version and the routes. */
export interface RouteFile {
  version: 1;
  routes: RouteSpec[];
}

/** A route that matched a request, with its template's variables. */
export interface RouteMatch {
  /** The route's index in the file. */
  index: number;
  /** The route's path template, as written. */
  template: string;
  action: string;
  resource: { type: string; id: string };
  /** Template variables, each percent-decoded. */
  params: Record<string, string>;
}

interface CompiledRoute extends TrieRoute {
  spec: RouteSpec;
}

export const MAX_ROUTES = 10_000;
// No leading underscore: a variable named __proto__ would become the params object's prototype.
const NAME = '[a-z][a-z0-9_]{0,63}';
const PARAM = new RegExp(`^\\{(${NAME})\\}$`);
const REST = new RegExp(`^\\{(${NAME})\\.\\.\\.\\}$`);
const TEXT = { type: 'string', minLength: 1, maxLength: 512 } as const;
const METHOD = { type: 'string', pattern: '^[A-Z]{1,20}$' } as const;

/** JSON Schema of the route file (version 1). */
export const ROUTE_FILE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['version', 'routes'],
  properties: {
    version: { const: 1 },
    routes: {
      type: 'array',
      maxItems: MAX_ROUTES,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['path', 'action', 'resource'],
        properties: {
          method: {
            anyOf: [METHOD, { type: 'array', minItems: 1, maxItems: 20, uniqueItems: true, items: METHOD }],
          },
          host: { type: 'string', pattern: '^[a-z0-9.-]{1,253}$' },
          path: { type: 'string', minLength: 1, maxLength: 2048, pattern: '^/' },
          action: TEXT,
          resource: {
            type: 'object',
            additionalProperties: false,
            required: ['type', 'id'],
            properties: { type: TEXT, id: TEXT },
          },
        },
      },
    },
  },
} as const;

const validateFile = new Ajv({ allErrors: true }).compile(ROUTE_FILE_SCHEMA);

/** The template's segments, or the reason it is not a valid template. */
function compileTemplate(path: string): Segment[] | string {
  const normalized = normalizeRequestPath(path.replace(/\{[^}]*\}/g, 'x'));
  if (!normalized.ok) return normalized.detail;
  if (normalized.query !== '') return 'has a query';
  const parts = pathParts(path);
  const segments: Segment[] = [];
  const names = new Set<string>();
  for (const [i, part] of parts.entries()) {
    const param = PARAM.exec(part);
    const rest = REST.exec(part);
    const name = param?.[1] ?? rest?.[1];
    if (name !== undefined) {
      if (names.has(name)) return `uses {${name}} twice`;
      names.add(name);
    }
    if (rest && i !== parts.length - 1) return `has {${name}...} before its last segment`;
    if (param) segments.push({ kind: 'param', name: param[1] });
    else if (rest) segments.push({ kind: 'rest', name: rest[1] });
    else if (/[{}]/.test(part)) return `has a segment that is neither literal nor a whole {name}: ${part}`;
    else segments.push({ kind: 'literal', text: part });
  }
  const literal = segments.map((s) => (s.kind === 'literal' ? s.text : 'x')).join('/');
  const canonical = normalizeRequestPath(`/${literal}`);
  if (!canonical.ok || canonical.path !== `/${literal}`)
    return 'is not in normalized form (no empty, dot or encoded-unreserved segments)';
  return segments;
}

/** Field errors of the parsed file, with pointers into it; empty when it is a valid route file. */
export function routeFileErrors(file: unknown): FieldError[] {
  const errors = schemaFieldErrors(validateFile, file);
  if (errors.length > 0) return errors;
  const routes = (file as RouteFile).routes;
  for (const [i, route] of routes.entries()) {
    const segments = compileTemplate(route.path);
    if (typeof segments === 'string') {
      errors.push({ pointer: `/routes/${i}/path`, detail: segments });
      continue;
    }
    const names = new Set(segments.flatMap((s) => (s.kind === 'literal' ? [] : [s.name])));
    for (const [, used] of route.resource.id.matchAll(/\{([^}]*)\}/g)) {
      if (!names.has(used))
        errors.push({
          pointer: `/routes/${i}/resource/id`,
          detail: `uses {${used}}, which the path does not define`,
        });
    }
  }
  return errors;
}

/**
 * The route table, immutable once loaded. Injectable into Nest (decision.module.ts provides it
 * from ROUTES_FILE); an empty table maps every request with the fixed mapping.
 */
export class RouteTable {
  private readonly byHost = new Map<string, RouteTrie<CompiledRoute>>();
  private readonly anyHost = new RouteTrie<CompiledRoute>();

  /** A table of a file already checked with {@link routeFileErrors}. */
  constructor(readonly file: RouteFile = { version: 1, routes: [] }) {
    for (const [index, spec] of file.routes.entries()) {
      const methods = spec.method === undefined ? undefined : new Set([spec.method].flat());
      const route = { index, spec, methods, segments: compileTemplate(spec.path) as Segment[] };
      let trie = this.anyHost;
      if (spec.host !== undefined) {
        trie = this.byHost.get(spec.host) ?? new RouteTrie<CompiledRoute>();
        this.byHost.set(spec.host, trie);
      }
      trie.add(route);
    }
    this.anyHost.seal();
    for (const trie of this.byHost.values()) trie.seal();
  }

  /**
   * The most specific route for a request (see the file's doc: a route for the host before a
   * hostless one, then segment by segment a literal before `{name}` before `{name...}`, then one
   * for the method before one for any, then file order); undefined when none matches.
   */
  match(method: string, host: string, path: string): RouteMatch | undefined {
    const parts = pathParts(path);
    const found = this.byHost.get(host)?.find(method, parts) ?? this.anyHost.find(method, parts);
    if (!found) return undefined;
    const { route, params } = found;
    return {
      index: route.index,
      template: route.spec.path,
      action: route.spec.action,
      resource: {
        type: route.spec.resource.type,
        id: route.spec.resource.id.replace(/\{([^}]*)\}/g, (_, name: string) => params[name]),
      },
      params,
    };
  }
}

/**
 * The route table of ROUTES_FILE (an empty one when unset). A file that cannot be read, is not
 * JSON or is not a valid route file throws, naming the variable and the pointer, so the decision
 * point refuses to start rather than map requests other than intended.
 */
export function loadRouteTable(file: string | undefined): RouteTable {
  if (file === undefined) return new RouteTable();
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`ROUTES_FILE (${file}) cannot be read as JSON: ${(error as Error).message}`);
  }
  const errors = routeFileErrors(parsed);
  if (errors.length > 0) {
    const listed = errors.map((e) => `${e.pointer || '/'} ${e.detail}`).join('; ');
    throw new Error(`ROUTES_FILE (${file}) is not a valid route file: ${listed}`);
  }
  return new RouteTable(parsed as RouteFile);
}
