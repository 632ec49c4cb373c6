import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, FieldError, ProblemError } from './problem';
import { CORRELATION_HEADER } from './correlation';

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  410: 'GONE',
  412: 'PRECONDITION_FAILED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'NOT_READY',
};

/** Fastify's own errors (body too large, bad JSON) carry a status code but are not HttpExceptions. */
function isFastifyError(e: unknown): e is { statusCode: number; message: string; code?: string } {
  return (
    typeof e === 'object' && e !== null && typeof (e as { statusCode?: unknown }).statusCode === 'number'
  );
}

/** Turns anything thrown into a problem, hiding internals of unexpected errors. */
export function toProblem(exception: unknown): ProblemError {
  if (exception instanceof ProblemError) return exception;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return new ProblemError(status, STATUS_CODES[status] ?? 'INTERNAL', exception.message);
  }
  if (isFastifyError(exception) && exception.statusCode >= 400 && exception.statusCode < 500) {
    const status = exception.statusCode;
    const errors: FieldError[] | undefined =
      status === 400 ? [{ pointer: '', detail: exception.message }] : undefined;
    return new ProblemError(status, STATUS_CODES[status] ?? 'VALIDATION_FAILED', exception.message, {
      ...(errors ? { errors } : {}),
    });
  }
  return new ProblemError(500, 'INTERNAL', 'An unexpected error occurred; see the service log.');
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
  const correlationId = request.headers[CORRELATION_HEADER];
  if (problem.status >= 500) {
    logger.error(
      `${request.method} ${request.url} failed [${String(correlationId)}]: ${
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)
      }`,
    );
  }
  const { headers, ...members } = problem.extra;
  for (const [name, value] of Object.entries(headers ?? {})) void reply.header(name, value);
  void reply
    .status(problem.status)
    .header('content-type', 'application/problem+json')
    .send({
      type: `https://zt-policy.dev/problems/${problem.code.toLowerCase().replace(/_/g, '-')}`,
      title: problem.title,
      status: problem.status,
      detail: problem.detail,
      code: problem.code,
      instance: request.url,
      ...(typeof correlationId === 'string' ? { correlationId } : {}),
      ...members,
    });
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
