/**
 * Which headers of a checked HTTP request join the decision's context: one rule for Envoy
 * ext_authz and forward-auth. Credentials never enter a decision request: it is logged
 * (digested) and may be cached.
 */
export const SECRET_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-forwarded-client-cert',
]);

/** At most this many headers join the context; the rest are not read. */
export const MAX_CONTEXT_HEADERS = 50;

/** The headers that join the decision's context: the first few that are neither secret nor pseudo-headers. */
export function visibleHeaders(headers: Record<string, string>): [string, string][] {
  return Object.entries(headers)
    .filter(([name]) => !SECRET_HEADERS.has(name.toLowerCase()) && !name.startsWith(':'))
    .slice(0, MAX_CONTEXT_HEADERS);
}
