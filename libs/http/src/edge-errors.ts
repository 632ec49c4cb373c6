import { Logger } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import { assignCorrelationId } from './correlation';
import { ProblemError } from './problem';
import { problemBody, sendProblem } from './problem.filter';
import { uriTooLongProblem } from './request-input';

const logger = new Logger('HttpEdge');

/**
 * Fastify's `frameworkErrors` option: what its router refuses before any hook runs (a path that
 * is not valid percent-encoded UTF-8, a path parameter longer than the router takes) answered as
 * problem+json that quotes nothing of the URL.
 */
export function frameworkProblem(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  assignCorrelationId(request, reply);
  sendProblem(frameworkErrorProblem(error), request, reply, logger);
}

function frameworkErrorProblem(error: FastifyError): unknown {
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return new ProblemError(400, 'VALIDATION_FAILED', 'The path is not valid percent-encoded UTF-8.', {
        instance: undefined,
      });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return uriTooLongProblem('A path segment is longer than this service accepts.');
    default:
      return error;
  }
}

/** The part of Node's clientError this handler reads. */
export interface ClientError {
  code?: string;
}

function clientErrorProblemOf(error: ClientError): ProblemError {
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    // Node counts the request line with the headers: a URL over its limit lands here too.
    return new ProblemError(
      431,
      'HEADERS_TOO_LARGE',
      'The URL and headers are larger than this service accepts.',
    );
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new ProblemError(408, 'REQUEST_TIMEOUT', 'The request was not received in time.');
  }
  return new ProblemError(400, 'VALIDATION_FAILED', 'The request is not valid HTTP/1.1.');
}

/** The HTTP/1.1 response, head and problem+json body, answering a request Node could not parse. */
export function clientErrorResponse(error: ClientError): string {
  const problem = clientErrorProblemOf(error);
  const body = JSON.stringify(problemBody(problem, undefined, undefined));
  return (
    `HTTP/1.1 ${problem.status} ${problem.title}\r\n` +
    'Content-Type: application/problem+json\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}

/**
 * Fastify's `clientErrorHandler` option: Node's HTTP server refuses a request it cannot parse
 * (headers or URL over its size limit, malformed HTTP, a timeout) before Fastify sees it; the
 * answer is problem+json and quotes nothing the caller sent.
 */
export function clientErrorProblem(error: ClientError, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) socket.write(clientErrorResponse(error));
  socket.destroy();
}
