import { correlationIdFrom } from './correlation';

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
