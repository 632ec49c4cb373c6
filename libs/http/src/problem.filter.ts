import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ThrottledWarning } from '@zt/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, FieldError, ProblemError } from './problem';
import { CORRELATION_HEADER } from './correlation';
import { dependencyOutageProblem, isDependencyOutage } from './dependency-outage';

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  410: 'GONE',
  412: 'PRECONDITION_FAILED',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
  503: 'NOT_READY',
};

// The messages of Nest's and Fastify's own errors may quote what the caller sent (Nest's "Cannot
// GET <url>", the content type, a piece of the body), so they are answered with fixed texts.
// The services throw ProblemErrors; Nest turns Fastify's errors (bad JSON, body too large, wrong
// content type) into HttpExceptions before its filter sees them, so both are framework errors.
const UNEXPECTED = 'An unexpected error occurred; see the service log.';
const FRAMEWORK_DETAILS: Record<number, string> = {
  400: 'The body could not be read as JSON.',
  404: 'No route serves this method and path.',
  413: 'The body is larger than this service accepts (MAX_BODY_BYTES).',
  414: 'The URL is longer than this service accepts.',
  415: 'Only application/json bodies are accepted.',
};

/** Fastify's own errors (body too large, bad JSON) carry a status code but are not HttpExceptions. */
function isFastifyError(e: unknown): e is { statusCode: number } {
  return (
    typeof e === 'object' && e !== null && typeof (e as { statusCode?: unknown }).statusCode === 'number'
  );
}

/** A problem for an error of the framework itself, by its status alone. */
function problemForStatus(status: number): ProblemError {
  const code = STATUS_CODES[status] ?? (status < 500 ? 'VALIDATION_FAILED' : 'INTERNAL');
  if (status >= 500) return new ProblemError(status, code, UNEXPECTED);
  const detail = FRAMEWORK_DETAILS[status] ?? `The request was refused (${status}).`;
  // The only 400s the framework makes are about the body: malformed JSON, an empty JSON body, a
  // forbidden __proto__ or constructor member.
  const errors: FieldError[] | undefined =
    status === 400 ? [{ pointer: '', detail: 'is not valid JSON' }] : undefined;
  return new ProblemError(status, code, detail, errors ? { errors } : {});
}

// One line per interval while a dependency is down or the replica is behind.
const deliberateWarning = new ThrottledWarning((message) => new Logger('ProblemFilter').warn(message));

/** Turns anything thrown into a problem, hiding internals of unexpected errors. */
export function toProblem(exception: unknown): ProblemError {
  if (exception instanceof ProblemError) return exception;
  if (exception instanceof HttpException) return problemForStatus(exception.getStatus());
  if (isFastifyError(exception) && exception.statusCode >= 400 && exception.statusCode < 500) {
    return problemForStatus(exception.statusCode);
  }
  if (isDependencyOutage(exception)) return dependencyOutageProblem();
  return new ProblemError(500, 'INTERNAL', UNEXPECTED);
}

/** The path of a request URL, without its query string (which may carry tokens). */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * The RFC 9457 body of a problem. `instance` is the request's path (never its query string);
 * a problem may set its own in `extra.instance`, undefined to leave it out when the URL itself
 * was refused.
 */
export function problemBody(
  problem: ProblemError,
  instance: string | undefined,
  correlationId: string | undefined,
): Record<string, unknown> {
  // Headers go in the response head; the instance is the one given.
  const { headers, instance: ownInstance, ...members } = problem.extra;
  return {
    type: `https://zt-policy.dev/problems/${problem.code.toLowerCase().replace(/_/g, '-')}`,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    code: problem.code,
    ...(instance === undefined ? {} : { instance }),
    ...(correlationId === undefined ? {} : { correlationId }),
    ...members,
  };
}

/**
 * Renders anything thrown as an RFC 9457 application/problem+json response: the one place where
 * errors become responses, for Nest's routes (through {@link ProblemFilter}) and for the routes
 * served by Fastify directly.
 */
export function sendProblem(
  exception: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
  logger: Pick<Logger, 'error'>,
): void {
  const problem = toProblem(exception);
  const given = request.headers[CORRELATION_HEADER];
  const correlationId = typeof given === 'string' ? given : undefined;
  const path = pathOf(request.url);
  if (problem.code === 'INTERNAL') {
    logger.error(
      `${request.method} ${path} failed [${String(correlationId)}]: ${
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)
      }`,
    );
  } else if (problem.status >= 500) {
    // A deliberate 5xx (a dependency down, a replica behind the revision asked for) says what is
    // wrong in its answer; it is no fault of the service, and it comes once per request while it
    // lasts: one line per interval, not a stack trace per request.
    deliberateWarning.warn(
      `${request.method} ${path} answered ${problem.status} ${problem.code}: ${
        problem.code === 'DEPENDENCY_UNAVAILABLE' && exception instanceof Error
          ? exception.message
          : problem.detail
      }`,
    );
  }
  for (const [name, value] of Object.entries(problem.extra.headers ?? {})) void reply.header(name, value);
  const instance = 'instance' in problem.extra ? problem.extra.instance : path;
  void reply
    .status(problem.status)
    .header('content-type', 'application/problem+json')
    .send(problemBody(problem, instance, correlationId));
}

/** Nest's exception filter for every route it serves: see {@link sendProblem}. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    sendProblem(exception, ctx.getRequest<FastifyRequest>(), ctx.getResponse<FastifyReply>(), this.logger);
  }
}
