import type { EntityManager, ValueTransformer } from 'typeorm';

/**
 * Reads PostgreSQL `bigint` (which the driver returns as a string) as a JS number. Revisions and
 * sequence numbers stay far below 2^53, so no precision is lost.
 */
export const BIGINT_AS_NUMBER: ValueTransformer = { to: (v: number) => v, from: (v: string) => Number(v) };

/**
 * Takes a transaction-scoped advisory lock if nobody holds it; false when another process does.
 * Relays use it so that one replica at a time publishes, in order.
 */
export async function tryAdvisoryLock(manager: EntityManager, key: number): Promise<boolean> {
  const rows: { ok: boolean }[] = await manager.query(`SELECT pg_try_advisory_xact_lock($1) AS ok`, [key]);
  return rows[0].ok;
}
