import { DECISION_REQUEST_LIMITS, decisionRequestErrors } from './decision-request.schema';

const request = (context: unknown) => ({ action: 'read', resource: { id: 'docs.a' }, context });
const list = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);

describe('decision request limits', () => {
  it('refuses a list longer than 100 items at any depth, at its pointer', () => {
    expect(decisionRequestErrors(request({ device: { checks: list(101) } }))).toEqual([
      { pointer: '/context/device/checks', detail: 'has more than 100 items' },
    ]);
    expect(
      decisionRequestErrors({ action: 'read', resource: { id: 'r', attributes: { tags: list(101) } } }),
    ).toEqual([{ pointer: '/resource/attributes/tags', detail: 'has more than 100 items' }]);
  });

  it('refuses an object with more than 100 members below the top level', () => {
    const wide = Object.fromEntries(list(101).map((k) => [k, 1]));
    expect(decisionRequestErrors(request({ device: wide }))).toEqual([
      { pointer: '/context/device', detail: 'has more than 100 members' },
    ]);
  });

  it('refuses nesting deeper than 8 levels and strings longer than 4096 characters', () => {
    // The request is level 1, context 2, a 3 ... g 9: refused; f (level 8) is accepted.
    expect(decisionRequestErrors(request({ a: { b: { c: { d: { e: { f: { g: {} } } } } } } }))).toEqual([
      { pointer: '/context/a/b/c/d/e/f/g', detail: 'is nested deeper than 8 levels' },
    ]);
    expect(decisionRequestErrors(request({ a: { b: { c: { d: { e: { f: { g: 1 } } } } } } }))).toEqual([]);
    expect(decisionRequestErrors(request({ ua: 'x'.repeat(4097) }))).toEqual([
      { pointer: '/context/ua', detail: 'is longer than 4096 characters' },
    ]);
  });

  it('refuses more than 2000 values in all', () => {
    const many = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`l${i}`, list(100)]));
    expect(decisionRequestErrors(request(many))).toEqual([
      { pointer: '', detail: 'holds more than 2000 values' },
    ]);
  });

  it('accepts the largest request the limits allow', () => {
    const largest = Object.fromEntries(Array.from({ length: 19 }, (_, i) => [`l${i}`, list(100)]));
    largest.deep = { a: { b: { c: { d: { e: { f: 'x'.repeat(4096) } } } } } } as never;
    expect(decisionRequestErrors(request(largest))).toEqual([]);
    expect(DECISION_REQUEST_LIMITS).toMatchObject({ maxArrayItems: 100, maxObjectMembers: 100, maxDepth: 8 });
  });

  it('still reports what the schema refuses', () => {
    expect(decisionRequestErrors({ resource: { id: 'r' } })).toEqual([
      expect.objectContaining({ pointer: '/action' }),
    ]);
  });

  it('refuses a min_revision beyond the safe integers, which cannot name a revision exactly', () => {
    // 9007199254740993 parses to 9007199254740992: no longer the number the caller sent.
    const body = JSON.parse(
      '{"action":"read","resource":{"id":"r"},"min_revision":9007199254740993}',
    ) as unknown;
    expect(decisionRequestErrors(body).map((e) => e.pointer)).toEqual(['/min_revision']);
    expect(
      decisionRequestErrors({ action: 'read', resource: { id: 'r' }, min_revision: 1e308 }),
    ).toHaveLength(1);
    expect(
      decisionRequestErrors({ action: 'read', resource: { id: 'r' }, min_revision: 2 ** 53 - 1 }),
    ).toEqual([]);
  });
});
