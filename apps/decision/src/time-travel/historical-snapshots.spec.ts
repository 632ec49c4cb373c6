import { ProblemError } from '@zt/http';
import { snapshotOfAnswer } from './historical-snapshots';

const SNAPSHOT = {
  revision: 4,
  as_of: { revision: 4, committed_at: '2025-03-01T10:00:00.000Z' },
  policies: [],
  principals: [],
  resources: [],
};

function problemOf(run: () => unknown): ProblemError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemError);
    return error as ProblemError;
  }
  throw new Error('expected a problem');
}

describe('snapshotOfAnswer', () => {
  it('takes a historical snapshot', () => {
    expect(snapshotOfAnswer({ status: 200, body: SNAPSHOT })).toBe(SNAPSHOT);
  });

  it('passes policy-admin 422 HISTORY_NOT_AVAILABLE on as it came', () => {
    const problem = problemOf(() =>
      snapshotOfAnswer({
        status: 422,
        body: {
          code: 'HISTORY_NOT_AVAILABLE',
          detail: 'Revision 2 is older than the history, which starts at revision 3.',
          history_start: 3,
          current_revision: 9,
        },
      }),
    );
    expect(problem.status).toBe(422);
    expect(problem.code).toBe('HISTORY_NOT_AVAILABLE');
    expect(problem.detail).toBe('Revision 2 is older than the history, which starts at revision 3.');
    expect(problem.extra).toMatchObject({ history_start: 3, current_revision: 9 });
  });

  it('answers 503 with Retry-After for anything else, never another state', () => {
    for (const answer of [
      { status: 500, body: { code: 'INTERNAL' } },
      { status: 401, body: { code: 'UNAUTHENTICATED' } },
      { status: 422, body: { code: 'VALIDATION_FAILED' } },
      // A current snapshot (no as_of) is not an answer about the past.
      { status: 200, body: { revision: 4, policies: [], principals: [] } },
      { status: 200, body: { ...SNAPSHOT, as_of: { revision: 3, committed_at: null } } },
    ]) {
      const problem = problemOf(() => snapshotOfAnswer(answer));
      expect(problem.status).toBe(503);
      expect(problem.extra.headers?.['retry-after']).toBeDefined();
    }
  });
});
