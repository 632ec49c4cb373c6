import { deliveredJson, printable } from './delivered-json';

describe('deliveredJson', () => {
  it('writes what JSON.stringify writes for ordinary values', () => {
    const value = { a: [1, 'two', null, true, { b: -0.5 }], 'c"d': {}, e: [], f: 'é😀' };
    expect(deliveredJson(value)).toBe(JSON.stringify(value));
  });

  it('keeps NUL and lone surrogates as escapes, in valid UTF-8 that parses back to what arrived', () => {
    const value = { s: 'a\u0000b', t: '\udc00', [`k\u0000`]: '\ud800x' };
    const text = deliveredJson(value);
    expect(Buffer.from(text, 'utf8').toString('utf8')).toBe(text);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('writes infinite numbers as the JSON that parses back to them', () => {
    const value = { up: Infinity, down: -Infinity, nan: NaN };
    const text = deliveredJson(value);
    expect(text).toBe('{"up":1e999,"down":-1e999,"nan":null}');
    expect(JSON.parse(text)).toEqual({ up: Infinity, down: -Infinity, nan: null });
  });

  it('keeps a message nested far deeper than the stack allows', () => {
    const depth = 200_000;
    const text = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const parsed: unknown = JSON.parse(text);
    expect(() => JSON.stringify(parsed)).toThrow(RangeError);
    expect(deliveredJson(parsed)).toBe(text);
  });
});

describe('printable', () => {
  it('escapes control characters and lone surrogates, and leaves the rest alone', () => {
    expect(printable('a\u0000b\u001bc\udc00d\ud83d\ude00')).toBe('a\\u0000b\\u001bc\\udc00d\ud83d\ude00');
  });

  it('bounds the length without cutting a surrogate pair in two', () => {
    expect(printable('abcdef', 3)).toBe('abc…');
    expect(printable('ab\ud83d\ude00', 3)).toBe('ab…');
  });
});
