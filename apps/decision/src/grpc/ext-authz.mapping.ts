import { bearerToken } from '@zt/auth';
import { InputProblem, inputProblems } from '@zt/contracts';
import { FieldError, problemBody, validationProblem } from '@zt/http';
import type { DecisionResult } from '@zt/policy-engine';
import type { DecisionBody } from '../decisions/decisions.service';

/** The parts of Envoy's CheckRequest (envoy.service.auth.v3) the decision uses; field names as in the .proto. */
export interface CheckRequestMessage {
  attributes?: {
    source?: { address?: { socket_address?: { address?: string; port_value?: number } } };
    request?: {
      http?: {
        method?: string;
        headers?: Record<string, string>;
        path?: string;
        host?: string;
        scheme?: string;
      };
    };
  };
}

interface HeaderValueOption {
  header: { key: string; value: string };
}

/** Envoy's CheckResponse as proto-loader takes it. */
export interface CheckResponseMessage {
  status: { code: number; message: string };
  ok_response?: { headers: HeaderValueOption[] };
  denied_response?: { status: { code: string }; headers: HeaderValueOption[]; body: string };
}

/** gRPC status codes used here (google.rpc.Code). */
export const GrpcCode = {
  OK: 0,
  INVALID_ARGUMENT: 3,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

// Credentials never enter a decision request: it is logged (digested) and may be cached.
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
const MAX_CONTEXT_HEADERS = 50;
// Headers read by name, wherever they come in the map.
const READ_HEADERS = ['authorization', ':authority', ':method', 'x-zt-device-id'];
const HTTP = '/attributes/request/http';
const SOURCE_ADDRESS = '/attributes/source/address/socket_address/address';

type HttpAttributes = NonNullable<
  NonNullable<NonNullable<CheckRequestMessage['attributes']>['request']>['http']
>;

/** The bearer token of the checked HTTP request, if it has one. */
export function bearerOf(check: CheckRequestMessage): string | undefined {
  return bearerToken(check.attributes?.request?.http?.headers?.authorization);
}

/** The headers that join the decision's context: the first few that are neither secret nor pseudo-headers. */
function visibleHeaders(headers: Record<string, string>): [string, string][] {
  return Object.entries(headers)
    .filter(([name]) => !SECRET_HEADERS.has(name.toLowerCase()) && !name.startsWith(':'))
    .slice(0, MAX_CONTEXT_HEADERS);
}

/** The authority asked for (`host`, else the `:authority` header) split at the port, and where it came from. */
function authorityOf(http: HttpAttributes): { host: string; port: string | undefined; pointer: string } {
  const authority = http.host ?? http.headers?.[':authority'] ?? '';
  const [host, port] = authority.split(':');
  return {
    host,
    port: port || undefined,
    pointer: http.host === undefined ? `${HTTP}/headers/:authority` : `${HTTP}/host`,
  };
}

/**
 * What the one rule for untrusted input refuses in the parts of a CheckRequest that reach the
 * decision (method, host, path, scheme, the headers read or passed on, the source address), with
 * pointers into the CheckRequest. A port that is not a number is refused too: it would reach the
 * engine as NaN. Parts the decision never reads (the body, cookies, other headers) are not judged.
 */
export function checkRequestProblems(check: CheckRequestMessage): InputProblem[] {
  const http = check.attributes?.request?.http ?? {};
  const headers = http.headers ?? {};
  const read = READ_HEADERS.filter((name) => headers[name] !== undefined).map((name): [string, string] => [
    name,
    headers[name],
  ]);
  const judged = Object.fromEntries([...visibleHeaders(headers), ...read]);
  const problems = [
    ...inputProblems(
      { method: http.method, host: http.host, path: http.path, scheme: http.scheme, headers: judged },
      HTTP,
    ),
    ...inputProblems(check.attributes?.source?.address?.socket_address?.address, SOURCE_ADDRESS),
  ];
  const { port, pointer } = authorityOf(http);
  if (port !== undefined && !/^\d{1,5}$/.test(port))
    problems.push({ pointer, detail: 'has a port that is not a number' });
  return problems;
}

/**
 * The decision request Envoy asks about: the method is the action, `host` + `path` (without
 * port, query or fragment) the resource, and the source address, the non-secret headers and the
 * device (`x-zt-device-id`) the context. The subject is left to the token. Only for a request
 * {@link checkRequestProblems} finds nothing wrong with.
 */
export function decisionBodyOf(check: CheckRequestMessage): DecisionBody {
  const http = check.attributes?.request?.http ?? {};
  const headers = http.headers ?? {};
  const { host, port } = authorityOf(http);
  const path = (http.path ?? '/').split(/[?#]/)[0];
  const method = (http.method ?? headers[':method'] ?? 'GET').toUpperCase();
  const context: Record<string, unknown> = {
    http: {
      method,
      scheme: http.scheme ?? 'https',
      host,
      path,
      headers: Object.fromEntries(visibleHeaders(headers)),
    },
  };
  const ip = check.attributes?.source?.address?.socket_address?.address;
  if (ip) context.ip = ip;
  const deviceId = headers['x-zt-device-id'];
  if (deviceId) context.device = { id: deviceId };
  return {
    action: method,
    resource: {
      type: 'http',
      id: `${host}${path}`,
      attributes: {
        host,
        path,
        method,
        scheme: http.scheme ?? 'https',
        ...(port ? { port: Number(port) } : {}),
      },
    },
    context,
  };
}

function header(key: string, value: string): HeaderValueOption {
  return { header: { key, value } };
}

/**
 * Envoy's answer for a decision: allow → OK; isolate → OK with `x-zt-isolate: true` for the
 * upstream to route into isolation; require_mfa → 401 with an RFC 9470 step-up challenge;
 * deny → 403. Denials carry the end user's reasons as JSON, never the administrator's.
 */
export function checkResponseOf(
  result: DecisionResult & { decision_id: string; revision: number },
): CheckResponseMessage {
  const ids = [
    header('x-zt-decision-id', result.decision_id),
    header('x-zt-policy-revision', String(result.revision)),
  ];
  if (result.decision === 'allow' || result.decision === 'isolate') {
    return {
      status: { code: GrpcCode.OK, message: result.decision },
      ok_response: {
        headers: result.decision === 'isolate' ? [...ids, header('x-zt-isolate', 'true')] : ids,
      },
    };
  }
  const body = JSON.stringify({
    decision: result.decision,
    decision_id: result.decision_id,
    reasons: result.userReasons,
  });
  if (result.decision === 'require_mfa') {
    return {
      status: { code: GrpcCode.UNAUTHENTICATED, message: 'multi-factor authentication required' },
      denied_response: {
        status: { code: 'Unauthorized' },
        headers: [
          ...ids,
          header(
            'www-authenticate',
            'Bearer error="insufficient_user_authentication", error_description="multi-factor authentication required", acr_values="mfa"',
          ),
          header('content-type', 'application/json'),
        ],
        body,
      },
    };
  }
  return {
    status: { code: GrpcCode.PERMISSION_DENIED, message: 'denied' },
    denied_response: {
      status: { code: 'Forbidden' },
      headers: [...ids, header('content-type', 'application/json')],
      body,
    },
  };
}

/** Envoy's answer when the request cannot be decided as asked: no valid token, or too many calls. */
export function checkRefusalOf(status: number, detail: string, retryAfter?: string): CheckResponseMessage {
  if (status === 429) {
    return {
      status: { code: GrpcCode.RESOURCE_EXHAUSTED, message: detail },
      denied_response: {
        status: { code: 'TooManyRequests' },
        headers: [header('retry-after', retryAfter ?? '1')],
        body: JSON.stringify({ error: 'rate_limited' }),
      },
    };
  }
  return {
    status: { code: GrpcCode.UNAUTHENTICATED, message: detail },
    denied_response: {
      status: { code: 'Unauthorized' },
      headers: [
        header('www-authenticate', 'Bearer error="invalid_token"'),
        header('content-type', 'application/json'),
      ],
      body: JSON.stringify({ error: 'invalid_token', detail }),
    },
  };
}

/** A pointer as shown to callers and in logs: at most 256 code units, since member names can be long. */
export function clippedPointer(pointer: string): string {
  return pointer.length > 256 ? `${pointer.slice(0, 256)}…` : pointer;
}

/**
 * Envoy's answer when a field of the CheckRequest fails the input rule: denied (never allowed),
 * 400 with the RFC 9457 problem+json body the HTTP APIs answer, naming each field by its pointer
 * in the CheckRequest. Refused text is never echoed raw: a pointer holding a bad header name is
 * escaped by JSON.
 */
export function checkInvalidOf(errors: FieldError[]): CheckResponseMessage {
  const problem = validationProblem(
    errors.map((e) => ({ pointer: clippedPointer(e.pointer), detail: e.detail })),
    'The request cannot be decided: a field of it is invalid.',
  );
  return {
    status: { code: GrpcCode.INVALID_ARGUMENT, message: problem.detail },
    denied_response: {
      status: { code: 'BadRequest' },
      headers: [header('content-type', 'application/problem+json')],
      // No instance: the checked path may be the refused field.
      body: JSON.stringify(problemBody(problem, undefined, undefined)),
    },
  };
}
