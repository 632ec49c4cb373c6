import type { DecisionBody } from '../decisions/trust-model';
import { normalizeRequestPath } from './request-path';
import type { RouteTable } from './route-table';

/**
 * An HTTP request an enforcement point asks about (Envoy ext_authz, forward-auth), in the terms
 * both share. The caller has already dropped secret headers (visible-headers.ts) and split the
 * authority into host and port.
 */
export interface HttpCheck {
  method: string;
  scheme: string;
  host: string;
  port?: number;
  /** The request target as the gateway saw it: path, query and fragment, not yet normalized. */
  rawPath: string;
  /** Non-secret headers, lower-case names, that join the context. */
  headers: Record<string, string>;
  sourceIp?: string;
  deviceId?: string;
}

/**
 * The decision request of a check, and the route (its template) that mapped it; or `ok: false`
 * when the path's meaning is ambiguous: the caller denies (never allows) such a request.
 */
export type HttpCheckMapping =
  { ok: true; body: DecisionBody; route?: string } | { ok: false; reason: string };

/**
 * An authority (`host`, `host:port`, `[v6]:port`) as a lower-case host and a port; the port is
 * undefined when absent, NaN when present but not a port (callers refuse that).
 */
export function splitAuthority(authority: string): { host: string; port: number | undefined } {
  const bracketed = /^(\[[^\]]*\])(?::(.*))?$/.exec(authority);
  const [host, port] = bracketed
    ? [bracketed[1], bracketed[2]]
    : authority.includes(':')
      ? [authority.slice(0, authority.lastIndexOf(':')), authority.slice(authority.lastIndexOf(':') + 1)]
      : [authority, undefined];
  const portNumber =
    port === undefined || port === ''
      ? undefined
      : /^\d{1,5}$/.test(port) && Number(port) <= 65535
        ? Number(port)
        : NaN;
  // A trailing dot names the same host (`example.com.`); dropped so policies see one spelling.
  return { host: host.toLowerCase().replace(/\.$/, ''), port: portNumber };
}

/**
 * The decision request of an HTTP check. The path is normalized first (request-path.ts); a path
 * that cannot be is refused. The most specific route of the table gives the action and resource
 * (`DELETE /todos/{id}` → `delete` on `todo:{id}`), its variables joining the resource's
 * attributes and `context.route`; without a matching route, the fixed mapping: action = method,
 * resource of type `http` with id `host + path`. The context always holds the request as
 * `context.http` (method, scheme, host, normalized path, query, headers), the source address as
 * `context.ip` and the device as `context.device.id`. The subject is left to the caller.
 */
export function decisionBodyOfHttpCheck(check: HttpCheck, routes: RouteTable): HttpCheckMapping {
  const normalized = normalizeRequestPath(check.rawPath);
  if (!normalized.ok) return { ok: false, reason: normalized.detail };
  const { path, query } = normalized;
  const method = check.method.toUpperCase();
  const host = check.host.toLowerCase();
  const http: Record<string, unknown> = { method, scheme: check.scheme, host, path, headers: check.headers };
  if (check.port !== undefined) http.port = check.port;
  if (query !== '') http.query = query;
  const context: Record<string, unknown> = { http };
  if (check.sourceIp) context.ip = check.sourceIp;
  if (check.deviceId) context.device = { id: check.deviceId };
  const route = routes.match(method, host, path);
  if (route) {
    context.route = { template: route.template, index: route.index, params: route.params };
    return {
      ok: true,
      route: route.template,
      body: {
        action: route.action,
        resource: { type: route.resource.type, id: route.resource.id, attributes: { ...route.params } },
        context,
      },
    };
  }
  return {
    ok: true,
    body: {
      action: method,
      resource: {
        type: 'http',
        id: `${host}${path}`,
        attributes: {
          host,
          path,
          method,
          scheme: check.scheme,
          ...(check.port !== undefined ? { port: check.port } : {}),
        },
      },
      context,
    },
  };
}
