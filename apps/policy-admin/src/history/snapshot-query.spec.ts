import { ProblemError } from '@zt/http';
import { snapshotQueryOf } from './snapshot-query';

function pointersOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemError);
    const problem = error as ProblemError;
    expect(problem.status).toBe(400);
    return (problem.extra.errors ?? []).map((e) => e.pointer);
  }
  throw new Error('expected a 400');
}

describe('snapshotQueryOf', () => {
  it('asks for the current state when neither at nor revision is given', () => {
    expect(snapshotQueryOf({})).toBeUndefined();
  });

  it('reads a revision and an RFC 3339 instant', () => {
    expect(snapshotQueryOf({ revision: '42' })).toEqual({ revision: 42 });
    expect(snapshotQueryOf({ revision: '0' })).toEqual({ revision: 0 });
    expect(snapshotQueryOf({ at: '2025-03-01T10:00:00Z' })).toEqual({ at: '2025-03-01T10:00:00Z' });
    expect(snapshotQueryOf({ at: '2025-03-01T10:00:00.123+02:00' })).toEqual({
      at: '2025-03-01T10:00:00.123+02:00',
    });
  });

  it('refuses a malformed at with its pointer', () => {
    expect(pointersOf(() => snapshotQueryOf({ at: 'yesterday' }))).toEqual(['/at']);
    expect(pointersOf(() => snapshotQueryOf({ at: '2025-03-01' }))).toEqual(['/at']);
    expect(pointersOf(() => snapshotQueryOf({ at: '2025-02-30T10:00:00Z' }))).toEqual(['/at']);
    expect(pointersOf(() => snapshotQueryOf({ at: ['2025-03-01T10:00:00Z', 'x'] }))).toEqual(['/at']);
  });

  it('refuses a malformed revision with its pointer', () => {
    expect(pointersOf(() => snapshotQueryOf({ revision: '-1' }))).toEqual(['/revision']);
    expect(pointersOf(() => snapshotQueryOf({ revision: '1.5' }))).toEqual(['/revision']);
    expect(pointersOf(() => snapshotQueryOf({ revision: '9999999999999999' }))).toEqual(['/revision']);
    expect(pointersOf(() => snapshotQueryOf({ revision: '' }))).toEqual(['/revision']);
  });

  it('refuses at and revision together', () => {
    expect(pointersOf(() => snapshotQueryOf({ at: '2025-03-01T10:00:00Z', revision: '3' }))).toEqual(['/at']);
  });
});
