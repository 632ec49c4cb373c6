import { bearerToken } from '@zt/auth';
import { InputProblem, inputProblems } from '@zt/contracts';
import { FieldError, ProblemError, problemBody, validationProblem } from '@zt/http';
import type { DecisionResult } from '@zt/policy-engine';
import {
  decisionBodyOfHttpCheck,
  HttpCheck,
  HttpCheckMapping,
  splitAuthority,
} from '../http-check/http-check';
import type { RouteTable } from '../http-check/route-table';
import { visibleHeaders } from '../http-check/visible-headers';
import { CheckHeaders, checkHeadersOf, HeaderFields, headerProblems } from './check-request-headers';
import { EnvoyFacts, envoyFactsOf } from './envoy-context';

/** The parts of Envoy's CheckRequest (envoy.service.auth.v3) the decision uses; field names as in the .proto. */
export interface CheckRequestMessage {
  attributes?: EnvoyFacts & {
    source?: {
      address?: { socket_address?: { address?: string; port_value?: number } } | null;
      /** The peer's identity when Envoy terminated mTLS: the certificate's URI SAN (spiffe://...) or subject. */
      principal?: string;
    } | null;
    request?: {
      http?:
        | (HeaderFields & {
            method?: string;
            path?: string;
            host?: string;
            scheme?: string;
          })
        | null;
    } | null;
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

// Headers read by name, wherever they come in the map.
const READ_HEADERS = ['authorization', ':authority', ':method', ':path', 'x-zt-device-id'];
const HTTP = '/attributes/request/http';
const SOURCE_ADDRESS = '/attributes/source/address/socket_address/address';
const SOURCE_PRINCIPAL = '/attributes/source/principal';
// A principal is a subject id: the same bound as the decision request's ids.
const MAX_PRINCIPAL_LENGTH = 512;

type HttpAttributes = NonNullable<
  NonNullable<NonNullable<CheckRequestMessage['attributes']>['request']>['http']
>;

function httpOf(check: CheckRequestMessage): HttpAttributes {
  return check.attributes?.request?.http ?? {};
}

/** The bearer token of the checked HTTP request, if it has one (from `headers` or `header_map`). */
export function bearerOf(check: CheckRequestMessage): string | undefined {
  return bearerToken(checkHeadersOf(httpOf(check)).headers.authorization);
}

/** Envoy's mTLS peer identity (`source.principal`), if it sent one. */
export function sourcePrincipalOf(check: CheckRequestMessage): string | undefined {
  return check.attributes?.source?.principal || undefined;
}

/**
 * The authority asked for (`host`, else the `:authority` header) and where it came from.
 * proto-loader gives an unset string as '', hence `||`.
 */
function authorityOf(http: HttpAttributes, headers: CheckHeaders): { authority: string; pointer: string } {
  return http.host
    ? { authority: http.host, pointer: `${HTTP}/host` }
    : { authority: headers.headers[':authority'] ?? '', pointer: headers.pointerOf(':authority') };
}

/**
 * What the one rule for untrusted input refuses in the parts of a CheckRequest that reach the
 * decision (method, host, path, scheme, the headers read or passed on, the source address and
 * principal, context_extensions and metadata within their bounds), with pointers into the
 * CheckRequest. A port that is not a number is refused too: it would reach the engine as NaN.
 * Parts the decision never reads (the body, cookies, other headers) are not judged.
 */
export function checkRequestProblems(check: CheckRequestMessage): InputProblem[] {
  const http = httpOf(check);
  const headers = checkHeadersOf(http);
  const judged = [
    ...visibleHeaders(headers.headers).map(([name]) => name),
    ...READ_HEADERS.filter((name) => headers.headers[name] !== undefined),
  ];
  const principal = check.attributes?.source?.principal ?? '';
  const problems = [
    ...headers.problems,
    ...inputProblems({ method: http.method, host: http.host, path: http.path, scheme: http.scheme }, HTTP),
    ...headerProblems(headers, [...new Set(judged)]),
    ...inputProblems(check.attributes?.source?.address?.socket_address?.address, SOURCE_ADDRESS),
    ...inputProblems(principal, SOURCE_PRINCIPAL),
    ...envoyFactsOf(check.attributes ?? {}).problems,
  ];
  if (principal.length > MAX_PRINCIPAL_LENGTH)
    problems.push({ pointer: SOURCE_PRINCIPAL, detail: `is longer than ${MAX_PRINCIPAL_LENGTH} characters` });
  const { authority, pointer } = authorityOf(http, headers);
  if (Number.isNaN(splitAuthority(authority).port ?? 0))
    problems.push({ pointer, detail: 'has a port that is not a number' });
  return problems;
}

/** The HTTP request of a check, in the terms ext_authz shares with forward-auth. */
export function httpCheckOf(check: CheckRequestMessage): HttpCheck {
  const http = httpOf(check);
  const headers = checkHeadersOf(http);
  const { host, port } = splitAuthority(authorityOf(http, headers).authority);
  const ip = check.attributes?.source?.address?.socket_address?.address;
  const deviceId = headers.headers['x-zt-device-id'];
  return {
    method: http.method || headers.headers[':method'] || 'GET',
    scheme: http.scheme || 'https',
    host,
    ...(port !== undefined ? { port } : {}),
    rawPath: http.path || headers.headers[':path'] || '/',
    headers: Object.fromEntries(visibleHeaders(headers.headers)),
    ...(ip ? { sourceIp: ip } : {}),
    ...(deviceId ? { deviceId } : {}),
  };
}

/** The subject type of a workload known by its mTLS identity, unless the principal directory types it. */
export const WORKLOAD_TYPE = 'workload';

/**
 * The decision request Envoy asks about: the HTTP request mapped by the route table, with the
 * normalized path (decisionBodyOfHttpCheck), plus Envoy's facts as `context.envoy`
 * (context_extensions, metadata_context, route_metadata_context). With `workload` (Envoy's mTLS
 * peer identity, trusted by configuration, for a call without a bearer token) the subject is that
 * workload, and `context.envoy.source_principal` names it; otherwise the subject is left to the
 * token. Only for a request {@link checkRequestProblems} finds nothing wrong with.
 */
export function decisionBodyOf(
  check: CheckRequestMessage,
  routes: RouteTable,
  workload?: string,
): HttpCheckMapping {
  const mapping = decisionBodyOfHttpCheck(httpCheckOf(check), routes);
  if (!mapping.ok) return mapping;
  const { facts } = envoyFactsOf(check.attributes ?? {});
  const envoy = { ...(facts ?? {}), ...(workload ? { source_principal: workload } : {}) };
  const body = mapping.body;
  if (Object.keys(envoy).length > 0) body.context = { ...body.context, envoy };
  if (workload) body.subject = { type: WORKLOAD_TYPE, id: workload };
  return mapping;
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

/**
 * Envoy's answer for a path whose meaning is ambiguous (request-path.ts): denied with 403, as
 * forward-auth denies it. Not 400: the request may be well-formed (`%2F` is valid RFC 3986), it
 * is our refusal to say what it names that denies it, and the answer must not depend on whether
 * the gateway normalized first. The body is problem+json (FORBIDDEN) naming the reason at the path's pointer.
 */
export function checkAmbiguousOf(reason: string): CheckResponseMessage {
  const problem = new ProblemError(
    403,
    'FORBIDDEN',
    'The request path is refused: its meaning is ambiguous.',
    {
      errors: [{ pointer: `${HTTP}/path`, detail: reason }],
    },
  );
  return {
    status: { code: GrpcCode.PERMISSION_DENIED, message: problem.detail },
    denied_response: {
      status: { code: 'Forbidden' },
      headers: [header('content-type', 'application/problem+json')],
      body: JSON.stringify(problemBody(problem, undefined, undefined)),
    },
  };
}
