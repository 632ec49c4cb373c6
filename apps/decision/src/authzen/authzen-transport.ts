import type { FastifyInstance, FastifyRequest, onSendHookHandler, preParsingHookHandler } from 'fastify';
import { correlationIdOf, REQUEST_ID_HEADER, validationProblem } from '@zt/http';

/** The AuthZEN request identifier header (Authorization API 1.0, "Request Identification"). */
export { REQUEST_ID_HEADER };

/**
 * A request id echoed as sent: 1 to 128 visible ASCII characters (no spaces, no controls). That
 * holds UUIDs, ULIDs, W3C trace ids and base64 tokens, and keeps a caller from making us reflect
 * kilobytes of its own bytes into every answer or into the logs of the proxies in between.
 */
const SAFE_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/** The paths whose answers carry X-Request-ID: the AuthZEN API (search included) and its metadata. */
export function isAuthzenPath(url: string): boolean {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  return (
    path.startsWith('/access/v1/') ||
    path === '/.well-known/authzen-configuration' ||
    path.startsWith('/.well-known/authzen-configuration/')
  );
}

/**
 * The X-Request-ID of the answer: the caller's, when it sent a safe one (the spec's MUST: "the
 * same identifier"); when it sent one that is not (too long, spaces, non-ASCII, several), this
 * request's correlation id instead, so the caller still gets "a request identifier" and can tell
 * its own was refused; none when it sent none.
 */
export function requestIdAnswer(
  given: string | string[] | undefined,
  correlationId: string | undefined,
): string | undefined {
  if (given === undefined) return undefined;
  if (typeof given === 'string' && SAFE_REQUEST_ID.test(given)) return given;
  return correlationId;
}

/**
 * Whether the caller asked for bare decisions with RFC 7240 `Prefer: return=minimal` (the
 * preference may come among others, in one header or several, any case, the value quoted).
 */
export function prefersMinimal(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  const values = Array.isArray(header) ? header : [header];
  return values.some((value) =>
    value
      .slice(0, 1024)
      .split(',')
      .some((preference) => {
        const [name, token] = (preference.split(';')[0] ?? '').split('=', 2).map((p) => p.trim());
        return (
          name.toLowerCase() === 'return' && token?.replace(/^"(.*)"$/, '$1').toLowerCase() === 'minimal'
        );
      }),
  );
}

/** The evaluation endpoints, where `Prefer: return=minimal` applies. */
const EVALUATION_PATHS = new Set(['/access/v1/evaluation', '/access/v1/evaluations']);

/**
 * Whether a request to an AuthZEN endpoint carries a body that is not JSON: a Content-Type other
 * than application/json (parameters allowed), or a body without one.
 */
export function hasNonJsonBody(headers: FastifyRequest['headers']): boolean {
  const type = headers['content-type'];
  if (type === undefined) {
    const length = headers['content-length'];
    return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  }
  return type.split(';', 1)[0].trim().toLowerCase() !== 'application/json';
}

/** A body that is not JSON on an AuthZEN endpoint: 400, not the 415 of every other route. */
const refuseNonJson: preParsingHookHandler = (request, _reply, payload, done) => {
  if (request.method === 'POST' && hasNonJsonBody(request.headers)) {
    done(
      validationProblem(
        [{ pointer: '/headers/content-type', detail: 'must be application/json' }],
        'The AuthZEN API reads JSON bodies only.',
      ),
    );
    return;
  }
  done(null, payload);
};

/** X-Request-ID on every answer; Preference-Applied on a 200 evaluation answer to return=minimal. */
const addAuthzenHeaders: onSendHookHandler = (request, reply, payload, done) => {
  const id = requestIdAnswer(request.headers[REQUEST_ID_HEADER], correlationIdOf(request));
  if (id !== undefined) void reply.header(REQUEST_ID_HEADER, id);
  if (
    reply.statusCode === 200 &&
    EVALUATION_PATHS.has(request.url.split('?', 1)[0]) &&
    prefersMinimal(request.headers.prefer)
  ) {
    void reply.header('preference-applied', 'return=minimal');
  }
  done(null, payload);
};

const hooks = <T>(given: T | T[] | undefined): T[] =>
  given === undefined ? [] : Array.isArray(given) ? given : [given];

/**
 * The AuthZEN transport rules, as hooks of the AuthZEN routes only (registered after this call;
 * other routes, the native decision path among them, pay nothing):
 * - every answer, errors included (authentication, admission control, malformed JSON, body
 *   limits, rate limit, the route's own), carries X-Request-ID (see requestIdAnswer), and a 200
 *   evaluation answer to `Prefer: return=minimal` carries `Preference-Applied: return=minimal`.
 *   An onSend hook, because it sees every reply of the route, where an onRequest hook would miss
 *   those of the root hooks before it;
 * - a body that is not application/json is a 400 (the spec's transport rule, which the
 *   certification checks) rather than the 415 every other route answers.
 */
export function installAuthzenTransport(fastify: FastifyInstance): void {
  fastify.addHook('onRoute', (route) => {
    if (!isAuthzenPath(route.url)) return;
    route.preParsing = [...hooks(route.preParsing), refuseNonJson];
    route.onSend = [...hooks(route.onSend), addAuthzenHeaders];
  });
}
