import { HttpException, NotFoundException } from '@nestjs/common';
import Fastify from 'fastify';
import { sendProblem, toProblem } from './problem.filter';
import { ProblemError, unauthenticatedProblem, validationProblem } from './problem';

describe('toProblem', () => {
  it('keeps a ProblemError as it is', () => {
    const problem = validationProblem([{ pointer: '/name', detail: 'is required' }]);
    expect(toProblem(problem)).toBe(problem);
  });

  it('maps Nest HTTP exceptions to problems with a stable code', () => {
    expect(toProblem(new NotFoundException('nothing here'))).toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
    });
    // Nest turns Fastify's errors into HttpExceptions with Fastify's message and status.
    expect(toProblem(new HttpException('Unsupported Media Type: text/x-secret', 415))).toMatchObject({
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      detail: 'Only application/json bodies are accepted.',
    });
  });

  it("maps Fastify's client errors (bad JSON, too large) by their status", () => {
    expect(toProblem({ statusCode: 413, message: 'Request body is too large' })).toMatchObject({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    });
    const badJson = toProblem({ statusCode: 400, message: 'Unexpected token' });
    expect(badJson).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(badJson.extra.errors).toEqual([{ pointer: '', detail: 'is not valid JSON' }]);
  });

  it("never quotes the framework's messages, which may hold what the caller sent", () => {
    const quoting = [
      new NotFoundException('Cannot GET /nowhere?access_token=secret'),
      new HttpException('Unexpected token \'s\', "secret" is not valid JSON', 400),
      { statusCode: 400, message: 'Unexpected token \'s\', "secret" is not valid JSON' },
      { statusCode: 415, message: 'Unsupported Media Type: secret/type' },
    ];
    for (const error of quoting) {
      const problem = toProblem(error);
      expect(JSON.stringify({ detail: problem.detail, extra: problem.extra })).not.toContain('secret');
    }
  });

  it('hides the message of unexpected errors', () => {
    const problem = toProblem(new Error('password=hunter2 in connection string'));
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(problem.detail).not.toContain('hunter2');
  });

  it('gives every code its HTTP title', () => {
    expect(new ProblemError(403, 'MFA_REQUIRED', 'x').title).toBe('Forbidden');
    expect(new ProblemError(429, 'RATE_LIMITED', 'x').title).toBe('Too Many Requests');
  });
});

describe('sendProblem', () => {
  const fastify = Fastify();
  fastify.get('/guarded', () => {
    throw unauthenticatedProblem('token is malformed');
  });
  fastify.setErrorHandler((error, request, reply) =>
    sendProblem(error, request, reply, { error: () => undefined }),
  );
  afterAll(() => fastify.close());

  it('gives the path alone as instance: a query string may carry a token', async () => {
    const response = await fastify.inject({ method: 'GET', url: '/guarded?access_token=secret.jwt' });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ code: 'UNAUTHENTICATED', instance: '/guarded' });
    expect(response.body).not.toContain('secret');
  });

  it('leaves instance out when the problem says so (the URL itself was refused)', async () => {
    const quiet = Fastify();
    quiet.get('/long', () => {
      throw new ProblemError(414, 'URI_TOO_LONG', 'too long', { instance: undefined });
    });
    quiet.setErrorHandler((error, request, reply) =>
      sendProblem(error, request, reply, { error: () => undefined }),
    );
    const response = await quiet.inject({ method: 'GET', url: '/long' });
    expect(response.json()).toEqual(expect.not.objectContaining({ instance: expect.anything() }));
    expect(response.json()).toMatchObject({ status: 414, code: 'URI_TOO_LONG', title: 'URI Too Long' });
    await quiet.close();
  });

  it('logs an unexpected error with its stack, never a deliberate 503 (one request each while it lasts)', async () => {
    const errors: string[] = [];
    const app = Fastify();
    app.get('/behind', () => {
      throw new ProblemError(503, 'NOT_READY', 'not at the revision asked for', {
        headers: { 'retry-after': '1' },
      });
    });
    app.get('/broken', () => {
      throw new Error('a bug');
    });
    app.setErrorHandler((error, request, reply) =>
      sendProblem(error, request, reply, { error: (message: string) => errors.push(message) }),
    );
    for (let i = 0; i < 3; i += 1) {
      const behind = await app.inject({ method: 'GET', url: '/behind' });
      expect(behind.statusCode).toBe(503);
      expect(behind.headers['retry-after']).toBe('1');
    }
    expect(errors).toEqual([]);
    const broken = await app.inject({ method: 'GET', url: '/broken' });
    expect(broken.json()).toMatchObject({ status: 500, code: 'INTERNAL' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('a bug');
    await app.close();
  });
});
