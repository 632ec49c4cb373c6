import { ProblemError } from '@zt/http';
import { availableRevision } from './history-availability';

const bounds = { start: 10, current: 20 };
const committed = (revision: number) => ({ revision, committedAt: new Date('2025-03-01T10:00:00Z') });

function refusal(run: () => unknown): { status: number; code: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemError);
    const { status, code } = error as ProblemError;
    return { status, code };
  }
  throw new Error('expected a refusal');
}

describe('availableRevision', () => {
  it('answers a revision from the start of the history to the current one', () => {
    expect(availableRevision({ revision: 10 }, committed(10), bounds).revision).toBe(10);
    expect(availableRevision({ revision: 20 }, committed(20), bounds).revision).toBe(20);
    expect(availableRevision({ at: '2025-03-01T10:00:00Z' }, committed(15), bounds).revision).toBe(15);
  });

  it('refuses a revision or an instant before the history starts with 422 HISTORY_NOT_AVAILABLE', () => {
    expect(refusal(() => availableRevision({ revision: 9 }, committed(9), bounds))).toEqual({
      status: 422,
      code: 'HISTORY_NOT_AVAILABLE',
    });
    expect(refusal(() => availableRevision({ at: '2025-03-01T10:00:00Z' }, committed(3), bounds))).toEqual({
      status: 422,
      code: 'HISTORY_NOT_AVAILABLE',
    });
  });

  it('refuses an instant before any logged revision with 422, not the empty state', () => {
    expect(refusal(() => availableRevision({ at: '2000-01-01T00:00:00Z' }, undefined, bounds))).toEqual({
      status: 422,
      code: 'HISTORY_NOT_AVAILABLE',
    });
  });

  it('refuses a revision not reached yet with 404', () => {
    expect(refusal(() => availableRevision({ revision: 21 }, committed(21), bounds))).toEqual({
      status: 404,
      code: 'NOT_FOUND',
    });
  });
});
