import { changedPointers } from './document-diff';

describe('changedPointers', () => {
  it('names nothing for equal documents', () => {
    expect(changedPointers({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toEqual([]);
  });

  it('names changed, added and removed members by JSON pointer', () => {
    const before = { name: 'x', actions: ['read'], conditions: { location: 'US_ONLY', 'a/b': 1 } };
    const after = {
      name: 'x',
      actions: ['read', 'write'],
      conditions: { location: 'EU_ONLY' },
      effect: 'deny',
    };
    expect(changedPointers(before, after)).toEqual([
      '/actions/1',
      '/conditions/location',
      '/conditions/a~1b',
      '/effect',
    ]);
  });

  it('names the whole document when one side is missing', () => {
    expect(changedPointers(null, { a: 1 })).toEqual(['']);
  });
});
