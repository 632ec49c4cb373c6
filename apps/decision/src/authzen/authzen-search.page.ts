import { createHash } from 'node:crypto';
import { validationProblem } from '@zt/http';
import type { SearchKind, SearchRequest } from './authzen-search.mapping';

/**
 * Page tokens (AuthZEN §8.2): opaque to the caller, they carry where the last page stopped (the
 * last candidate it examined, in the sorted order candidates are walked in) and a digest of the
 * request they belong to. A token sent with a request that differs in anything but the token is
 * refused, as the spec asks. Not signed: a caller can only move its own cursor, and every
 * candidate past it is still evaluated in full.
 */

interface PageToken {
  v: 1;
  /** Digest of the request without its token. */
  d: string;
  /** The last candidate the previous page examined. */
  a: string;
}

/** JSON with object members in key order, so equal requests give equal digests. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The digest of a search request, its page token aside. */
export function requestDigest(kind: SearchKind, request: SearchRequest): string {
  const { token: _token, ...page } = request.page ?? {};
  return createHash('sha256')
    .update(canonical({ kind, ...request, page }))
    .digest('base64url')
    .slice(0, 22);
}

/** The token that resumes after `after`. */
export function encodePageToken(digest: string, after: string): string {
  return Buffer.from(JSON.stringify({ v: 1, d: digest, a: after } satisfies PageToken)).toString('base64url');
}

const INVALID = 'is not a next_token this service gave';

/** Where the page of this token starts (after which candidate); 400 on a foreign or altered token. */
export function decodePageToken(token: string, digest: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw validationProblem([{ pointer: '/page/token', detail: INVALID }]);
  }
  const t = parsed as Partial<PageToken> | null;
  if (
    t === null ||
    typeof t !== 'object' ||
    t.v !== 1 ||
    typeof t.d !== 'string' ||
    typeof t.a !== 'string'
  ) {
    throw validationProblem([{ pointer: '/page/token', detail: INVALID }]);
  }
  if (t.d !== digest) {
    throw validationProblem([
      {
        pointer: '/page/token',
        detail:
          'belongs to another request: subject, action, resource, context and page.limit must be those of the request that returned it',
      },
    ]);
  }
  return t.a;
}
