// W3C Trace Context (traceparent): kept from the incoming request so the decision joins the
// caller's trace, or started here when the request brings none.
import { randomBytes } from 'node:crypto';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The incoming traceparent when it is a valid version-00 one, else a new sampled trace. */
export function traceparentOf(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  const match = value ? TRACEPARENT.exec(value.trim()) : null;
  if (match && !/^0+$/.test(match[1]) && !/^0+$/.test(match[2])) return value!.trim();
  return `00-${randomHex(32)}-${randomHex(16)}-01`;
}

// Random hex digits drawn from a pool filled 4 KiB at a time: one randomBytes call per request
// (two per traceparent) was a good part of the guard's cost on a cached decision.
const POOL_BYTES = 4096;
let pool = '';
let taken = 0;

/** `length` random hex digits. */
function randomHex(length: number): string {
  if (taken + length > pool.length) {
    pool = randomBytes(POOL_BYTES).toString('hex');
    taken = 0;
  }
  taken += length;
  return pool.slice(taken - length, taken);
}

/** A child of `traceparent`: the same trace, a new span (the call to the decision point). */
export function childTraceparent(traceparent: string): string {
  const [version, traceId, , flags] = traceparent.split('-');
  return `${version}-${traceId}-${randomHex(16)}-${flags}`;
}
