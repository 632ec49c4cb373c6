import { HISTORY_NOT_AVAILABLE, HistoricalSnapshotQuery } from '@zt/contracts';
import { ProblemError } from '@zt/http';
import type { CommittedRevision } from './history.repository';

/** What the history holds: where it starts and the current revision. */
export interface HistoryBounds {
  start: number;
  current: number;
}

function notAvailable(detail: string, bounds: HistoryBounds): ProblemError {
  return new ProblemError(422, HISTORY_NOT_AVAILABLE, detail, {
    history_start: bounds.start,
    current_revision: bounds.current,
  });
}

/**
 * The revision a historical question is answered from, or the problem that refuses it: 422
 * HISTORY_NOT_AVAILABLE for a time before any logged revision or a revision before the history
 * starts (its directories cannot be known), 404 for a revision not reached yet. `found` is the
 * revision the query named (with its commit time), or for an instant the last one committed by
 * then, if any.
 */
export function availableRevision(
  query: HistoricalSnapshotQuery,
  found: CommittedRevision | undefined,
  bounds: HistoryBounds,
): CommittedRevision {
  if ('at' in query && found === undefined) {
    throw notAvailable(
      `No revision was committed at or before ${query.at}; the history starts at revision ${bounds.start}.`,
      bounds,
    );
  }
  const answer = found as CommittedRevision;
  if (answer.revision > bounds.current) {
    throw new ProblemError(
      404,
      'NOT_FOUND',
      `There is no revision ${answer.revision} yet; the current revision is ${bounds.current}.`,
    );
  }
  if (answer.revision < bounds.start) {
    throw notAvailable(
      `Revision ${answer.revision} is older than the history, which starts at revision ${bounds.start}.`,
      bounds,
    );
  }
  return answer;
}
