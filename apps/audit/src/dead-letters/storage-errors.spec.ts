import { QueryFailedError } from 'typeorm';
import { isDataError, sqlStateOf } from './storage-errors';

/** A failed query as TypeORM reports it: the driver's error, SQLSTATE in `code`. */
function queryFailed(code: string, message = 'refused'): QueryFailedError {
  return new QueryFailedError('INSERT ...', [], Object.assign(new Error(message), { code }));
}

describe('storage errors: data error (dead letter) or infrastructure (retry)', () => {
  it.each([
    ['22P05', 'untranslatable character (NUL in jsonb)'],
    ['22021', 'invalid byte sequence'],
    ['22003', 'numeric value out of range'],
    ['22007', 'invalid datetime format'],
    ['54000', 'index row size exceeds the maximum'],
  ])('classes SQLSTATE %s (%s) as a data error', (code) => {
    expect(isDataError(queryFailed(code))).toBe(true);
  });

  it.each([
    ['08006', 'connection failure'],
    ['57P01', 'admin shutdown'],
    ['40001', 'serialization failure'],
    ['53300', 'too many connections'],
    ['23505', 'unique violation (a concurrent append: retrying dedupes it)'],
    ['42P01', 'undefined table (a migration missing: nothing to blame the record for)'],
  ])('classes SQLSTATE %s (%s) as transient', (code) => {
    expect(isDataError(queryFailed(code))).toBe(false);
  });

  it('classes errors without a SQLSTATE (network, timeouts, anything else) as transient', () => {
    expect(
      isDataError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })),
    ).toBe(false);
    expect(isDataError(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toBe(false);
    expect(isDataError(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(isDataError(new TypeError('non-finite number'))).toBe(false);
    expect(isDataError('22P05')).toBe(false);
    expect(isDataError(undefined)).toBe(false);
  });

  it('reads the SQLSTATE from the driver error when it is not copied onto the query error', () => {
    expect(sqlStateOf({ driverError: { code: '22P05' } })).toBe('22P05');
    expect(isDataError({ driverError: { code: '22P05' } })).toBe(true);
  });
});
