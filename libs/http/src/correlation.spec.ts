import type { FastifyReply, FastifyRequest } from 'fastify';
import { assignCorrelationId, correlationIdFrom } from './correlation';

describe('correlationIdFrom', () => {
  it("keeps a caller's sane id", () => {
    expect(correlationIdFrom('req-42.a:b_c')).toBe('req-42.a:b_c');
  });

  it.each([['x'.repeat(129)], ['has space'], ['a\u0000b'], ['é'], [''], [undefined], [42]])(
    'replaces %j by a new id',
    (given) => {
      const id = correlationIdFrom(given);
      expect(id).not.toBe(given);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    },
  );
});

describe('assignCorrelationId', () => {
  const assign = (headers: Record<string, string>) => {
    const sent: Record<string, string> = {};
    const reply = { header: (name: string, value: string) => (sent[name] = value) };
    const request = { headers: { ...headers } };
    const id = assignCorrelationId(request as unknown as FastifyRequest, reply as unknown as FastifyReply);
    return { id, echoed: sent['x-correlation-id'], stored: request.headers['x-correlation-id'] };
  };

  it('joins X-Request-ID to the correlation id when no X-Correlation-ID comes', () => {
    expect(assign({ 'x-request-id': 'req-7' })).toEqual({ id: 'req-7', echoed: 'req-7', stored: 'req-7' });
  });

  it('prefers a sane X-Correlation-ID, and falls back to X-Request-ID when it is not sane', () => {
    expect(assign({ 'x-correlation-id': 'corr-1', 'x-request-id': 'req-7' }).id).toBe('corr-1');
    expect(assign({ 'x-correlation-id': 'has space', 'x-request-id': 'req-7' }).id).toBe('req-7');
    expect(assign({ 'x-request-id': 'not sane!' }).id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
