import Fastify, { FastifyInstance } from 'fastify';
import { sendProblem } from './problem.filter';
import { installInputRule, MAX_URL_LENGTH, requestInputProblems } from './request-input';

const silent = { error: () => undefined };

describe('requestInputProblems', () => {
  const clean = { params: {}, query: {}, body: undefined };

  it('accepts ordinary parameters and bodies', () => {
    expect(
      requestInputProblems({
        params: { id: 'pol_1' },
        query: { subject: ['group:a', 'group:b'], limit: '5' },
        body: { subject: { id: 'dana@company.com' }, context: { risk: 0.5, tags: ['é', '😀'] } },
      }),
    ).toEqual([]);
    expect(requestInputProblems(clean)).toEqual([]);
  });

  it('names a path parameter with NUL by /<name>, saying it is a path parameter', () => {
    expect(requestInputProblems({ ...clean, params: { id: 'a\u0000' } })).toEqual([
      { pointer: '/id', detail: 'path parameter contains the control character U+0000 at offset 1' },
    ]);
  });

  it('names each bad value of a repeated query parameter by /<name>/<index>', () => {
    expect(requestInputProblems({ ...clean, query: { subject: ['a', '\u0000'], actor: '\udc00' } })).toEqual([
      { pointer: '/subject/1', detail: 'query parameter contains the control character U+0000 at offset 0' },
      { pointer: '/actor', detail: 'query parameter contains a lone surrogate U+DC00 at offset 0' },
    ]);
  });

  it('refuses a query parameter whose name is unsafe, escaping the pointer segment', () => {
    const [problem] = requestInputProblems({ ...clean, query: { 'a/\u0000': '1' } });
    expect(problem.pointer).toBe('/a~1\u0000');
    expect(problem.detail).toMatch(/^query parameter name contains the control character U\+0000/);
  });

  it('names body fields by JSON pointers from the body root', () => {
    expect(
      requestInputProblems({ ...clean, body: { subject: { id: 'x\u0000' }, context: { n: Infinity } } }),
    ).toEqual([
      { pointer: '/subject/id', detail: 'contains the control character U+0000 at offset 1' },
      { pointer: '/context/n', detail: 'is not a finite number' },
    ]);
  });

  it('refuses a body nested 10,000 levels deep without overflowing the stack', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const [problem] = requestInputProblems({ ...clean, body: { action: { properties: deep } } });
    expect(problem.pointer.startsWith('/action/properties/0/0')).toBe(true);
    expect(problem.detail).toBe('is nested deeper than 32 levels');
  });

  it('lists at most ten problems, parameters first', () => {
    const query = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`q${i}`, '\u0000']));
    const problems = requestInputProblems({ params: { id: '\u0000' }, query, body: { a: '\u0000' } });
    expect(problems).toHaveLength(10);
    expect(problems[0].pointer).toBe('/id');
  });
});

describe('installInputRule', () => {
  let fastify: FastifyInstance;
  const seen: unknown[] = [];

  beforeAll(async () => {
    fastify = Fastify();
    installInputRule(fastify);
    fastify.setErrorHandler((error, request, reply) => sendProblem(error, request, reply, silent));
    // Registered after the hooks, as Nest's routes and the direct routes are; one with an error
    // handler of its own, as the direct routes have.
    fastify.get('/things/:id', (request) => {
      seen.push(request.params);
      return { ok: true };
    });
    fastify.post('/direct', {
      errorHandler: (error, request, reply) => sendProblem(error, request, reply, silent),
      handler: (request) => {
        seen.push(request.body);
        return { ok: true };
      },
    });
    await fastify.ready();
  });
  afterAll(() => fastify.close());
  beforeEach(() => (seen.length = 0));

  it('answers 400 problem+json naming a path parameter, before the handler runs', async () => {
    const response = await fastify.inject({ method: 'GET', url: '/things/a%00' });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ pointer: '/id' }] });
    expect(seen).toEqual([]);
  });

  it('answers 400 naming a query value and keeps the query string out of instance', async () => {
    const response = await fastify.inject({ method: 'GET', url: '/things/a?actor=%00&token=secret' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ instance: '/things/a', errors: [{ pointer: '/actor' }] });
    expect(response.body).not.toContain('secret');
  });

  it('answers 400 naming a body field on a route with its own error handler', async () => {
    const response = await fastify.inject({
      method: 'POST',
      url: '/direct',
      headers: { 'content-type': 'application/json' },
      payload: '{"subject":{"id":"\\udc00"},"context":{"n":1e309}}',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual([
      { pointer: '/subject/id', detail: 'contains a lone surrogate U+DC00 at offset 0' },
      { pointer: '/context/n', detail: 'is not a finite number' },
    ]);
    expect(seen).toEqual([]);
  });

  it('lets acceptable requests through', async () => {
    const response = await fastify.inject({ method: 'GET', url: '/things/a?subject=x&subject=y' });
    expect(response.statusCode).toBe(200);
    expect(seen).toEqual([{ id: 'a' }]);
  });

  it(`answers 414 without instance for a URL over ${MAX_URL_LENGTH} characters`, async () => {
    const response = await fastify.inject({
      method: 'GET',
      url: `/things/a?q=${'x'.repeat(MAX_URL_LENGTH)}`,
    });
    expect(response.statusCode).toBe(414);
    expect(response.json()).toMatchObject({ code: 'URI_TOO_LONG', status: 414 });
    expect(response.json()).not.toHaveProperty('instance');
    expect(seen).toEqual([]);
  });
});
