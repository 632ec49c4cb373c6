import { correlationIdOf, validationProblem } from '@zt/http';
import type { FastifyRequest } from 'fastify';

/** Per-call facts that are not part of the decision request itself. */
export interface DecisionCall {
  correlationId?: string;
  /** The policy revision the caller needs at least (read-your-writes); from `Zt-Min-Revision` or the body. */
  minRevision?: number;
}

/** The header a caller sets to the revision an admin write answered with. */
export const MIN_REVISION_HEADER = 'zt-min-revision';

/** Reads a minimum revision; throws a 400 naming where it came from when it is not a non-negative integer. */
export function parseMinRevision(raw: unknown, pointer: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw validationProblem([{ pointer, detail: 'must be a non-negative integer (a policy revision)' }]);
  }
  return value;
}

/** The call facts of an HTTP request: its correlation id and the `Zt-Min-Revision` header. */
export function decisionCallOf(request: FastifyRequest): DecisionCall {
  const header = request.headers[MIN_REVISION_HEADER];
  return {
    correlationId: correlationIdOf(request),
    minRevision: parseMinRevision(
      Array.isArray(header) ? header[0] : header,
      `/headers/${MIN_REVISION_HEADER}`,
    ),
  };
}
