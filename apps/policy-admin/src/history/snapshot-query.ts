import type { HistoricalSnapshotQuery } from '@zt/contracts';
import { parseRfc3339 } from '@zt/contracts';
import { FieldError, validationProblem } from '@zt/http';

/** The query parameters of `GET /policies:snapshot`, as received. */
export interface SnapshotQueryParameters {
  at?: unknown;
  revision?: unknown;
}

// A revision is a bigint in PostgreSQL, and a safe integer everywhere it travels.
const REVISION = /^\d{1,15}$/;

/**
 * Which state a snapshot request asks for: undefined for the current one, else a revision or an
 * instant. Throws 400 with the query parameter's pointer when a value is malformed, repeated, or
 * when both are given (they could disagree).
 */
export function snapshotQueryOf(query: SnapshotQueryParameters): HistoricalSnapshotQuery | undefined {
  const errors: FieldError[] = [];
  const { at, revision } = query;
  if (at !== undefined && revision !== undefined) {
    errors.push({ pointer: '/at', detail: 'give at or revision, not both' });
  } else if (at !== undefined) {
    if (typeof at !== 'string' || parseRfc3339(at) === undefined) {
      errors.push({ pointer: '/at', detail: 'must be an RFC 3339 date-time with an offset, once' });
    }
  } else if (revision !== undefined) {
    if (typeof revision !== 'string' || !REVISION.test(revision)) {
      errors.push({
        pointer: '/revision',
        detail: 'must be a non-negative integer (a policy revision), once',
      });
    }
  }
  if (errors.length > 0) throw validationProblem(errors, 'Invalid query parameters.');
  if (at !== undefined) return { at: at as string };
  if (revision !== undefined) return { revision: Number(revision) };
  return undefined;
}
