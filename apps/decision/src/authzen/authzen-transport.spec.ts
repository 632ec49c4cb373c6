import Fastify from 'fastify';
import {
  hasNonJsonBody,
  installAuthzenTransport,
  isAuthzenPath,
  prefersMinimal,
  requestIdAnswer,
} from './authzen-transport';

describe('AuthZEN transport rules', () => {
  it('applies to the AuthZEN API and its metadata only', () => {
    expect(isAuthzenPath('/access/v1/evaluation')).toBe(true);
    expect(isAuthzenPath('/access/v1/evaluations?x=1')).toBe(true);
    expect(isAuthzenPath('/access/v1/search/subject')).toBe(true);
    expect(isAuthzenPath('/.well-known/authzen-configuration')).toBe(true);
    expect(isAuthzenPath('/.well-known/authzen-configuration/tenant1')).toBe(true);
    expect(isAuthzenPath('/.well-known/authzen-configurationx')).toBe(false);
    expect(isAuthzenPath('/v1/zt-policy/decisions')).toBe(false);
    expect(isAuthzenPath('/healthz?/access/v1/')).toBe(false);
  });

  it('echoes a sane request id, answers the correlation id for any other, nothing for none', () => {
    const uuid = 'bfe9eb29-ab87-4ca3-be83-a1d5d8305716';
    expect(requestIdAnswer(uuid, 'corr')).toBe(uuid);
    expect(requestIdAnswer('Zm9v/+=:_.~!', 'corr')).toBe('Zm9v/+=:_.~!');
    expect(requestIdAnswer('x'.repeat(128), 'corr')).toBe('x'.repeat(128));
    expect(requestIdAnswer('x'.repeat(129), 'corr')).toBe('corr');
    expect(requestIdAnswer('a, b', 'corr')).toBe('corr');
    expect(requestIdAnswer('', 'corr')).toBe('corr');
    expect(requestIdAnswer('caf\u00e9', 'corr')).toBe('corr');
    expect(requestIdAnswer(['a', 'b'], 'corr')).toBe('corr');
    expect(requestIdAnswer(undefined, 'corr')).toBeUndefined();
  });

  it('reads Prefer: return=minimal among other preferences (RFC 7240)', () => {
    expect(prefersMinimal('return=minimal')).toBe(true);
    expect(prefersMinimal('Return = "minimal"')).toBe(true);
    expect(prefersMinimal('respond-async, wait=10, return=minimal; foo=bar')).toBe(true);
    expect(prefersMinimal(['handling=lenient', 'return=minimal'])).toBe(true);
    expect(prefersMinimal('return=representation')).toBe(false);
    expect(prefersMinimal('minimal')).toBe(false);
    expect(prefersMinimal('x-return=minimal')).toBe(false);
    expect(prefersMinimal(undefined)).toBe(false);
  });

  it('tells a JSON body from any other', () => {
    expect(hasNonJsonBody({ 'content-type': 'application/json' })).toBe(false);
    expect(hasNonJsonBody({ 'content-type': 'Application/JSON; charset=utf-8' })).toBe(false);
    expect(hasNonJsonBody({ 'content-type': 'text/plain', 'content-length': '0' })).toBe(true);
    expect(hasNonJsonBody({ 'content-type': 'application/json-patch+json' })).toBe(true);
    expect(hasNonJsonBody({ 'content-length': '12' })).toBe(true);
    expect(hasNonJsonBody({ 'transfer-encoding': 'chunked' })).toBe(true);
    expect(hasNonJsonBody({ 'content-length': '0' })).toBe(false);
    expect(hasNonJsonBody({})).toBe(false);
  });

  it('adds its headers to every answer of the AuthZEN routes, those of root hooks included, and refuses non-JSON with 400', async () => {
    const fastify = Fastify();
    installAuthzenTransport(fastify);
    // Like admission control: a root hook that answers by itself, before the route runs.
    fastify.addHook('onRequest', (request, reply, done) => {
      if (request.headers['x-refuse'] !== undefined) void reply.code(503).send({ refused: true });
      else done();
    });
    fastify.post('/access/v1/evaluation', () => ({ decision: true }));
    fastify.post('/v1/zt-policy/decisions', () => ({ decision: 'allow' }));
    const post = (url: string, headers: Record<string, string>, payload = '{}') =>
      fastify.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', ...headers },
        payload,
      });
    const id = { 'x-request-id': 'r-1' };
    const ok = await post('/access/v1/evaluation', { ...id, prefer: 'return=minimal' });
    expect([ok.statusCode, ok.headers['x-request-id'], ok.headers['preference-applied']]).toEqual([
      200,
      'r-1',
      'return=minimal',
    ]);
    const refused = await post('/access/v1/evaluation', { ...id, 'x-refuse': '1' });
    expect([
      refused.statusCode,
      refused.headers['x-request-id'],
      refused.headers['preference-applied'],
    ]).toEqual([503, 'r-1', undefined]);
    const text = await post('/access/v1/evaluation', { ...id, 'content-type': 'text/plain' });
    expect([text.statusCode, text.headers['x-request-id']]).toEqual([400, 'r-1']);
    const other = await post('/v1/zt-policy/decisions', id);
    expect([other.statusCode, other.headers['x-request-id']]).toEqual([200, undefined]);
    await fastify.close();
  });
});
