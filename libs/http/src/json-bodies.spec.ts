import Fastify, { FastifyInstance } from 'fastify';
import { acceptOnlyJsonBodies } from './json-bodies';
import { sendProblem } from './problem.filter';

describe('acceptOnlyJsonBodies', () => {
  let fastify: FastifyInstance;

  beforeAll(async () => {
    fastify = Fastify();
    acceptOnlyJsonBodies(fastify);
    fastify.setErrorHandler((error, request, reply) =>
      sendProblem(error, request, reply, { error: () => undefined }),
    );
    fastify.post('/echo', (request) => ({ body: request.body }));
    await fastify.ready();
  });
  afterAll(() => fastify.close());

  const post = (type: string | undefined, payload: string) =>
    fastify.inject({ method: 'POST', url: '/echo', headers: type ? { 'content-type': type } : {}, payload });

  it('reads application/json, with or without a charset', async () => {
    for (const type of ['application/json', 'application/json; charset=utf-8']) {
      const response = await post(type, '{"a":1}');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ body: { a: 1 } });
    }
  });

  it.each([
    'application/x-www-form-urlencoded',
    'text/plain',
    'application/xml',
    'application/merge-patch+json',
    undefined,
  ])('refuses %s with 415 problem+json that does not quote the type', async (type) => {
    const response = await post(type, 'a=b');
    expect(response.statusCode).toBe(415);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      detail: 'Only application/json bodies are accepted.',
    });
  });

  it('answers malformed JSON with 400 that quotes none of it, pointer at the body', async () => {
    const response = await post('application/json', '{"secret-value": x}');
    expect(response.statusCode).toBe(400);
    expect(response.body).not.toContain('secret-value');
    expect(response.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ pointer: '', detail: 'is not valid JSON' }],
    });
  });

  it('still refuses a __proto__ member', async () => {
    const response = await post('application/json', '{"__proto__":{"admin":true}}');
    expect(response.statusCode).toBe(400);
  });
});
