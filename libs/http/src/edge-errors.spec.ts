import Fastify, { FastifyInstance } from 'fastify';
import { clientErrorResponse, frameworkProblem } from './edge-errors';

/** The status line and the parsed problem of a raw HTTP/1.1 response. */
function parse(response: string): { statusLine: string; head: string; problem: Record<string, unknown> } {
  const [head, body] = response.split('\r\n\r\n');
  return { statusLine: head.split('\r\n')[0], head, problem: JSON.parse(body) as Record<string, unknown> };
}

describe('clientErrorResponse', () => {
  it('answers headers over the limit with 431 problem+json', () => {
    const { statusLine, head, problem } = parse(clientErrorResponse({ code: 'HPE_HEADER_OVERFLOW' }));
    expect(statusLine).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(head).toContain('Content-Type: application/problem+json');
    expect(problem).toMatchObject({ status: 431, code: 'HEADERS_TOO_LARGE' });
    expect(problem).not.toHaveProperty('instance');
  });

  it('answers a timeout with 408 and anything else Node cannot parse with 400', () => {
    expect(parse(clientErrorResponse({ code: 'ERR_HTTP_REQUEST_TIMEOUT' })).problem).toMatchObject({
      status: 408,
      code: 'REQUEST_TIMEOUT',
    });
    expect(parse(clientErrorResponse({ code: 'HPE_INVALID_METHOD' })).problem).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
  });

  it('gives the exact length of the body', () => {
    const response = clientErrorResponse({ code: 'HPE_HEADER_OVERFLOW' });
    const length = Number(/Content-Length: (\d+)/.exec(response)?.[1]);
    expect(length).toBe(Buffer.byteLength(response.split('\r\n\r\n')[1]));
  });
});

describe('frameworkProblem', () => {
  let fastify: FastifyInstance;

  beforeAll(async () => {
    fastify = Fastify({ frameworkErrors: frameworkProblem });
    fastify.get('/policies/:id', () => ({ ok: true }));
    await fastify.ready();
  });
  afterAll(() => fastify.close());

  it('answers a path that is not valid percent-encoding with 400 problem+json quoting none of it', async () => {
    const response = await fastify.inject({
      method: 'GET',
      url: '/policies/%E0%A4%A?token=secret',
      headers: { 'x-correlation-id': '<script>' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json<Record<string, unknown>>();
    expect(problem).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(problem).not.toHaveProperty('instance');
    expect(response.body).not.toMatch(/%E0|secret|script/);
    // The caller's unsafe correlation id was replaced, as on every other route.
    expect(problem.correlationId).toBe(response.headers['x-correlation-id']);
  });

  it('answers a path parameter longer than the router takes with 414', async () => {
    const response = await fastify.inject({ method: 'GET', url: `/policies/${'a'.repeat(200)}` });
    expect(response.statusCode).toBe(414);
    expect(response.json()).toMatchObject({ status: 414, code: 'URI_TOO_LONG' });
    expect(response.body).not.toContain('aaaa');
  });
});
