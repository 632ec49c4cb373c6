// Who is calling: the `sub` of the bearer token. Read only on a route the guard let through:
// the decision point verified that very token (signature, expiry, issuer) before allowing, so
// the app does not verify it a second time.
import type { IncomingHttpHeaders } from 'node:http';

/** The subject of the request's bearer token, or undefined when there is none to read. */
export function callerOf(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer\s+[^.\s]+\.([^.\s]+)\.[^.\s]*\s*$/i.exec(headers.authorization ?? '');
  if (!match) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(match[1], 'base64url').toString('utf8'));
    const sub = (claims as { sub?: unknown } | null)?.sub;
    return typeof sub === 'string' && sub !== '' ? sub : undefined;
  } catch {
    return undefined;
  }
}
