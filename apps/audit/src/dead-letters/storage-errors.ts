/**
 * SQLSTATE classes that mean "this record can never be stored", whatever the number of attempts:
 * 22 data exception (22P05 untranslatable character, 22021 invalid byte sequence, 22003 numeric
 * value out of range, ...) and 54 program limit exceeded (54000: a value too large for an index
 * row). Anything else (no connection, 08 connection exception, 57P01 shutdown, 40001
 * serialization failure, 53 insufficient resources) may pass on a later attempt.
 */
const DATA_ERROR_CLASSES = new Set(['22', '54']);

/** The SQLSTATE of a failed query (TypeORM copies the driver's `code` onto its error), if any. */
export function sqlStateOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidates = [error, (error as { driverError?: unknown }).driverError];
  for (const candidate of candidates) {
    const code = (candidate as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * True when PostgreSQL refused a record for what it holds, so retrying cannot help and the record
 * goes to the dead letters; false for infrastructure failures, which the bus retries.
 */
export function isDataError(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state !== undefined && DATA_ERROR_CLASSES.has(state.slice(0, 2));
}
