import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Header that carries the correlation id over HTTP; Kafka messages carry it as a header too. */
export const CORRELATION_HEADER = 'x-correlation-id';

/**
 * The request id many gateways and clients send (nginx `$request_id`, Envoy, AuthZEN's own
 * header): the correlation id when no `X-Correlation-ID` comes, so one id joins the caller's logs
 * and ours.
 */
export const REQUEST_ID_HEADER = 'x-request-id';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's correlation id when it is a sane one (letters, digits, `._:-`, at most 128), else a new one. */
export function correlationIdFrom(given: unknown): string {
  return typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
}

/**
 * Gives every request a correlation id (the caller's `X-Correlation-ID` when it is a sane one,
 * else its `X-Request-ID` when that is, else a new one) and
 * echoes it in the response, so one request can be followed across services and logs.
 */
export function installCorrelationId(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    assignCorrelationId(request, reply);
    done();
  });
}

/**
 * Sets the correlation id of one request and its response; for the answers Fastify makes before
 * the request reaches the hooks (a malformed URL), which must not echo an unchecked header either.
 */
export function assignCorrelationId(request: FastifyRequest, reply: FastifyReply): string {
  const given = request.headers[CORRELATION_HEADER];
  const id = correlationIdFrom(
    typeof given === 'string' && SAFE_ID.test(given) ? given : request.headers[REQUEST_ID_HEADER],
  );
  request.headers[CORRELATION_HEADER] = id;
  void reply.header(CORRELATION_HEADER, id);
  return id;
}

/** The correlation id of a request (set by {@link installCorrelationId}). */
export function correlationIdOf(request: { headers: Record<string, unknown> }): string | undefined {
  const id = request.headers[CORRELATION_HEADER];
  return typeof id === 'string' ? id : undefined;
}
