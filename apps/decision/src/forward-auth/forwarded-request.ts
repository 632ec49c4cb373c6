import { isIP } from 'node:net';
import { inputProblems } from '@zt/contracts';
import type { FieldError } from '@zt/http';
import { HttpCheck, splitAuthority } from '../http-check/http-check';
import { visibleHeaders } from '../http-check/visible-headers';
import type { TrustedProxies } from './trusted-proxies';

/**
 * The request a gateway asks forward-auth about, read from the headers it sets:
 * - nginx `auth_request`: `X-Original-Method`, `X-Original-URI` (the configuration sets them);
 * - Traefik ForwardAuth and Caddy `forward_auth`: `X-Forwarded-Method`, `X-Forwarded-Uri`,
 *   `X-Forwarded-Host`, `X-Forwarded-Proto`, `X-Forwarded-For`.
 * A gateway passes the client's own headers on to the auth call, so a client can send the family
 * its gateway does not set: both families are read, and a request where they disagree is refused.
 */

/** The forwarding headers read here; none of them joins the decision's context. */
const FORWARDING_HEADERS: ReadonlySet<string> = new Set([
  'x-original-method',
  'x-original-uri',
  'x-forwarded-method',
  'x-forwarded-uri',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-for',
  'x-forwarded-port',
  'x-forwarded-prefix',
  'x-real-ip',
  'forwarded',
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
]);

// RFC 9110 §9.1 method token, bounded; methods are compared after upper-casing, as ext_authz does.
const METHOD = /^[A-Za-z]{1,20}$/;
// A host name or IP literal with an optional port, as in a Host header (RFC 9110 §7.2).
const AUTHORITY = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;
/** X-Forwarded-For entries read at most: a longer chain is refused rather than walked. */
export const MAX_FORWARDED_FOR = 32;

/** A refusal: what is wrong, named by the header it is in (`/headers/<name>`). */
export type ForwardedRefusal = { ok: false; errors: FieldError[] };

/** What the forwarding headers describe, as a check for the decision; or why it cannot be read. */
export type ForwardedCheck = { ok: true; check: HttpCheck } | ForwardedRefusal;

/** The request's headers, each once, with lower-case names; and the names sent more than once. */
export interface ReceivedHeaders {
  headers: Record<string, string>;
  repeated: ReadonlySet<string>;
}

/**
 * The headers of Node's `rawHeaders` (name, value, name, value...). Node joins a repeated
 * `X-Original-URI` into one value with `, `, which would read as one URI: here a repeated header
 * is noted, and refused by {@link forwardedCheckOf} when it is one this endpoint reads.
 */
export function receivedHeaders(rawHeaders: readonly string[]): ReceivedHeaders {
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  const repeated = new Set<string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (name in headers) repeated.add(name);
    else headers[name] = rawHeaders[i + 1];
  }
  return { headers, repeated };
}

function refusal(name: string, detail: string): ForwardedRefusal {
  return { ok: false, errors: [{ pointer: `/headers/${name}`, detail }] };
}

/**
 * One fact given by either family: the value when one header carries it or both carry the same,
 * a refusal when they differ, undefined when neither does.
 */
function agreed(
  headers: Record<string, string>,
  original: string,
  forwarded: string,
  same: (a: string, b: string) => boolean,
): string | ForwardedRefusal | undefined {
  const a = headers[original];
  const b = headers[forwarded];
  if (a !== undefined && b !== undefined && !same(a, b)) {
    return refusal(
      forwarded,
      `disagrees with ${original}: a client may have set the header its gateway does not`,
    );
  }
  return a ?? b;
}

/**
 * The client's address: X-Forwarded-For read from the right, skipping the trusted proxies (each
 * appended the address it saw); the first untrusted entry is the client. Undefined when the
 * header is absent or every entry is a trusted proxy. An entry that is not an IP address is
 * refused: guessing would let a policy on `context.ip` be bypassed by a malformed header.
 */
function clientAddress(
  headers: Record<string, string>,
  proxies: TrustedProxies,
): string | ForwardedRefusal | undefined {
  const chain = headers['x-forwarded-for'];
  if (chain === undefined) return undefined;
  const entries = chain.split(',').map((entry) => entry.trim());
  if (entries.length > MAX_FORWARDED_FOR)
    return refusal('x-forwarded-for', `has more than ${MAX_FORWARDED_FOR} addresses`);
  for (let i = entries.length - 1; i >= 0; i--) {
    const address = entries[i].replace(/^\[(.*)\]$/, '$1');
    if (isIP(address) === 0 || address.includes('%'))
      return refusal('x-forwarded-for', `has an entry that is not an IP address (position ${i + 1})`);
    if (!proxies.trusts(address)) return address;
  }
  return undefined;
}

/**
 * The request a trusted gateway asks about, from its forwarding headers (see the top of this
 * file), as an {@link HttpCheck}; refused, naming the header, when a header it reads is repeated,
 * the two families disagree, the method or URI is missing, the host, scheme or client address
 * is malformed, or a value fails the one rule for untrusted input. The path is left raw: the
 * check normalizes it (request-path.ts). The caller has checked that the peer is a trusted proxy.
 */
export function forwardedCheckOf(received: ReceivedHeaders, proxies: TrustedProxies): ForwardedCheck {
  const { headers, repeated } = received;
  for (const name of FORWARDING_HEADERS) {
    if (repeated.has(name) && name !== 'connection')
      return refusal(name, 'is sent more than once; which one the gateway meant is unknown');
  }
  if (repeated.has('x-zt-device-id')) return refusal('x-zt-device-id', 'is sent more than once');
  const method = agreed(
    headers,
    'x-original-method',
    'x-forwarded-method',
    (a, b) => a.toUpperCase() === b.toUpperCase(),
  );
  if (typeof method === 'object') return method;
  const uri = agreed(headers, 'x-original-uri', 'x-forwarded-uri', (a, b) => a === b);
  if (typeof uri === 'object') return uri;
  if (method === undefined)
    return refusal(
      'x-original-method',
      'is missing, as is X-Forwarded-Method: the method asked about is unknown',
    );
  if (!METHOD.test(method))
    return refusal(
      headers['x-original-method'] === undefined ? 'x-forwarded-method' : 'x-original-method',
      'is not an HTTP method',
    );
  if (uri === undefined)
    return refusal('x-original-uri', 'is missing, as is X-Forwarded-Uri: the request asked about is unknown');
  const authorityHeader = headers['x-forwarded-host'] === undefined ? 'host' : 'x-forwarded-host';
  const authority = headers[authorityHeader];
  if (authority === undefined || !AUTHORITY.test(authority))
    return refusal(authorityHeader, 'is not a host name with an optional port');
  const { host, port } = splitAuthority(authority);
  if (port !== undefined && Number.isNaN(port))
    return refusal(authorityHeader, 'has a port that is not a number');
  const scheme = (headers['x-forwarded-proto'] ?? 'http').toLowerCase();
  if (scheme !== 'http' && scheme !== 'https')
    return refusal('x-forwarded-proto', 'is neither http nor https');
  const sourceIp = clientAddress(headers, proxies);
  if (typeof sourceIp === 'object') return sourceIp;
  const context = Object.fromEntries(
    visibleHeaders(headers).filter(([name]) => !FORWARDING_HEADERS.has(name.toLowerCase())),
  );
  const deviceId = headers['x-zt-device-id'];
  const uriHeader = headers['x-original-uri'] === undefined ? 'x-forwarded-uri' : 'x-original-uri';
  const problems = [...inputProblems(uri, `/headers/${uriHeader}`), ...inputProblems(context, '/headers')];
  if (problems.length > 0) return { ok: false, errors: problems.slice(0, 10) };
  return {
    ok: true,
    check: {
      method: method.toUpperCase(),
      scheme,
      host,
      ...(port === undefined ? {} : { port }),
      rawPath: uri,
      headers: context,
      ...(sourceIp === undefined ? {} : { sourceIp }),
      ...(deviceId === undefined || deviceId === '' ? {} : { deviceId }),
    },
  };
}
