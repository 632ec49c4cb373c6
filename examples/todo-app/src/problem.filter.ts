// Writes every error as application/problem+json. The guard's refusals already are problem
// documents and have set their own headers (WWW-Authenticate, Retry-After) on the reply: they
// pass through unchanged, as docs/sdk.md asks of an application-wide filter.
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { isProblem, type ProblemBody } from './problem';

const TITLES: Record<number, string> = { 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed' };

/** Answers any exception as problem+json; unexpected ones as a 500 that says nothing of the cause. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('TodoApp');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let body: ProblemBody;
    if (exception instanceof HttpException) {
      const response = exception.getResponse();
      const status = exception.getStatus();
      body = isProblem(response)
        ? response
        : {
            type: 'about:blank',
            title: TITLES[status] ?? 'Error',
            status,
            detail: exception.message,
            code: status === 404 ? 'NOT_FOUND' : 'REQUEST_FAILED',
          };
    } else {
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
      body = {
        type: 'about:blank',
        title: 'Internal Server Error',
        status: 500,
        detail: 'Unexpected error.',
        code: 'INTERNAL',
      };
    }
    void reply.status(body.status).header('content-type', 'application/problem+json').send(body);
  }
}
