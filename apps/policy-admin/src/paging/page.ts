import { unsafeTextProblem } from '@zt/contracts';
import type { FieldError } from '@zt/http';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 500;
// A cursor carries one key (at most a few hundred characters) in base64url.
const CURSOR = /^[A-Za-z0-9_-]{1,1400}$/;

/** What a list endpoint was asked for: the page size and the key the page starts after. */
export interface PageRequest {
  limit: number;
  /** The last key of the previous page, decoded from the cursor. */
  after?: string;
}

/** A page of items and the cursor of the next page (absent on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/**
 * Reads the `limit` and `cursor` query parameters every list of policy-admin takes, adding a
 * pointer per bad one to `errors`. A cursor is the last key of a page in base64url: opaque to
 * callers, checked here only for being text PostgreSQL can hold (a forged one merely starts the
 * page elsewhere).
 */
export function pageRequestOf(
  query: { limit?: unknown; cursor?: unknown },
  errors: FieldError[],
): PageRequest {
  // Digits only: Number() would also take ' 5', '1e2' and '0x10'.
  const limit =
    query.limit === undefined
      ? DEFAULT_PAGE_SIZE
      : typeof query.limit === 'string' && /^\d{1,4}$/.test(query.limit)
        ? Number(query.limit)
        : NaN;
  if (!(limit >= 1 && limit <= MAX_PAGE_SIZE)) {
    errors.push({ pointer: '/limit', detail: `must be an integer from 1 to ${MAX_PAGE_SIZE}` });
  }
  if (query.cursor === undefined) return { limit };
  const after =
    typeof query.cursor === 'string' && CURSOR.test(query.cursor)
      ? Buffer.from(query.cursor, 'base64url').toString('utf8')
      : '';
  if (after === '' || unsafeTextProblem(after) !== undefined) {
    errors.push({ pointer: '/cursor', detail: 'must be a cursor returned by a previous page' });
    return { limit };
  }
  return { limit, after };
}

/**
 * Cuts the page out of rows read with `limit + 1` (the extra row says whether another page
 * follows) and makes the cursor of the next page from the last row's key.
 */
export function pageOf<T>(rows: T[], limit: number, keyOf: (row: T) => string): Page<T> {
  const items = rows.slice(0, limit);
  if (rows.length <= limit) return { items };
  return { items, nextCursor: Buffer.from(keyOf(items[items.length - 1])).toString('base64url') };
}

/** Points to the next page in a `Link: <…>; rel="next"` header, keeping the request's filters. */
export function linkNextPage(request: FastifyRequest, reply: FastifyReply, cursor: string | undefined): void {
  if (!cursor) return;
  const next = new URL(request.url, 'http://host');
  next.searchParams.set('cursor', cursor);
  void reply.header('link', `<${next.pathname}${next.search}>; rel="next"`);
}
