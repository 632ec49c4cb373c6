import type { FieldError } from '@zt/http';

/** Most decision records one page scans: a page is one query and one answer held in memory. */
export const MAX_REPLAY_PAGE = 10_000;
/** Records a page scans unless the caller says otherwise. */
export const DEFAULT_REPLAY_PAGE = 1_000;

/** Query parameters of `GET /audit/decision-inputs`, as received. */
export interface RecordedDecisionsParams {
  from?: string;
  to?: string;
  limit?: string;
  cursor?: string;
}

/** The same, checked: newest first, records with seq below `before` when a cursor is given. */
export interface RecordedDecisionsQuery {
  from?: Date;
  to?: Date;
  limit: number;
  before?: number;
}

function instant(text: string | undefined, pointer: string, errors: FieldError[]): Date | undefined {
  if (text === undefined) return undefined;
  const date = new Date(text);
  // Date accepts more than ISO 8601 (e.g. "1"); a replay window is an instant, nothing looser.
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(date.getTime())) {
    errors.push({ pointer, detail: 'must be an ISO 8601 instant (e.g. 2026-12-01T00:00:00Z)' });
    return undefined;
  }
  return date;
}

/** Checks the query; the errors carry the parameters' pointers. */
export function parseRecordedDecisionsQuery(
  params: RecordedDecisionsParams,
): { query: RecordedDecisionsQuery } | { errors: FieldError[] } {
  const errors: FieldError[] = [];
  const limit = params.limit === undefined ? DEFAULT_REPLAY_PAGE : Number(params.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_REPLAY_PAGE) {
    errors.push({ pointer: '/limit', detail: `must be an integer from 1 to ${MAX_REPLAY_PAGE}` });
  }
  const before = params.cursor === undefined ? undefined : Number(params.cursor);
  if (before !== undefined && !(/^\d{1,16}$/.test(params.cursor ?? '') && Number.isSafeInteger(before))) {
    errors.push({ pointer: '/cursor', detail: 'must be a cursor returned by a previous page' });
  }
  const from = instant(params.from, '/from', errors);
  const to = instant(params.to, '/to', errors);
  if (from && to && from.getTime() >= to.getTime()) {
    errors.push({ pointer: '/from', detail: 'must be before to' });
  }
  if (errors.length > 0) return { errors };
  return {
    query: {
      limit,
      ...(before === undefined ? {} : { before }),
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
    },
  };
}
