import { ProblemError } from './problem';

// Network failures of a connection to a dependency (PostgreSQL, Kafka, Redis, an HTTP service).
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
// PostgreSQL SQLSTATEs of a server that cannot serve now: shutting down, starting up, out of
// connections. Class 08 (connection exception) is matched by prefix.
const POSTGRES_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300']);
// node-postgres reports a lost or refused connection by message only.
const POSTGRES_CONNECTION_LOST =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended)/;
// kafkajs errors that mean the broker cannot be reached (not that the request was wrong).
const KAFKA_UNAVAILABLE = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
  // @zt/messaging's publishWithin: the bus did not confirm a send in time.
  'PublishTimeoutError',
]);
// How far down a chain of wrapped errors (TypeORM's driverError, `cause`) to look.
const MAX_DEPTH = 4;

function outageIn(error: unknown, depth: number): boolean {
  if (typeof error !== 'object' || error === null || depth > MAX_DEPTH) return false;
  const { code, name, message, driverError, cause } = error as Record<string, unknown>;
  if (
    typeof code === 'string' &&
    (NETWORK_CODES.has(code) || POSTGRES_UNAVAILABLE.has(code) || /^08/.test(code))
  ) {
    return true;
  }
  if (typeof name === 'string' && KAFKA_UNAVAILABLE.has(name)) return true;
  if (typeof message === 'string' && POSTGRES_CONNECTION_LOST.test(message)) return true;
  return outageIn(driverError, depth + 1) || outageIn(cause, depth + 1);
}

/** True when an error says a dependency is unreachable, not that the request or the code is wrong. */
export function isDependencyOutage(error: unknown): boolean {
  return outageIn(error, 0);
}

/** Seconds a client is asked to wait before retrying during an outage. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

/**
 * The answer to a request that failed because a dependency is down: 503 with Retry-After, not
 * "an unexpected error". The request's transaction, if any, was rolled back by the database or
 * never reached it; a retry after the outage is safe (a create that did commit answers 409).
 */
export function dependencyOutageProblem(): ProblemError {
  return new ProblemError(
    503,
    'DEPENDENCY_UNAVAILABLE',
    'A service this request needs (database or message broker) is unavailable right now; retry after the time given.',
    { headers: { 'retry-after': String(OUTAGE_RETRY_AFTER_SECONDS) } },
  );
}
