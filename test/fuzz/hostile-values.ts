import fc from 'fast-check';

/**
 * One of `values`, the `often` ones (what the issue is about: NUL, lone surrogates, overflow)
 * half the time, so that even the few rounds of `npm test` try each of them on most routes.
 */
function oftenFirst<T>(often: T[], ...others: T[]): fc.Arbitrary<T> {
  return fc.oneof(fc.constantFrom(...often), fc.constantFrom(...often, ...others));
}

// Past every maxLength the document states (the largest is description's 4096) and past the
// shared INPUT_LIMITS string bound, but well under MAX_BODY_BYTES.
const LONG_LENGTHS = [257, 513, 4097, 65_537, 300_000];

/** Strings a hostile caller puts in values and member names: NUL, lone surrogates, controls, tricks. */
export const hostileString: fc.Arbitrary<string> = oftenFirst(
  ['\u0000', 'a\u0000b', '\udc00', '\ud800', 'x\ud800y'],
  '\ud800\ud800',
  '\u0001',
  '\u001b[31m',
  '\u007f',
  '\r\n',
  '\u202e',
  '\ufeff',
  '\uffff',
  '',
  ' ',
  '__proto__',
  'constructor',
  '../../etc/passwd',
  '%00',
  '${jndi:ldap://x/a}',
  "' OR 1=1 --",
);

/** A string longer than any documented bound. */
export const longString: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...LONG_LENGTHS), fc.constantFrom('x', 'é', '😀', '\u0000'))
  .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)));

/** Numbers as raw JSON text: overflow to infinity, beyond safe integers, negative zero, tiny. */
export const rawNumberText: fc.Arbitrary<string> = oftenFirst(
  ['1e309', '-1e400', '1e308', '-0', '9007199254740993'],
  '-1e308',
  '1.7976931348623157e308',
  '-0.0',
  '-9007199254740993',
  '123456789012345678901234567890',
  '5e-324',
  '1e-400',
  '0.5',
  '-1',
  '0',
);

/** Raw JSON text nested `depth` levels deep, as arrays or as objects. */
export function deepText(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array'
    ? '['.repeat(depth) + ']'.repeat(depth)
    : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** Deep nesting as raw JSON text: just past the product's limit, and far past it. */
export const deepNesting: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(33, 100, 10_000, 100_000), fc.constantFrom('array' as const, 'object' as const))
  .map(([depth, kind]) => deepText(depth, kind));

/** A value of some other JSON type than the schema asks for. */
export const wrongTypeValue: fc.Arbitrary<unknown> = fc.constantFrom(
  null,
  true,
  0,
  -1,
  1.5,
  '',
  'text',
  [],
  [null],
  {},
  { '': null },
);

/**
 * Path segments and query values as raw request-target text (already percent-encoded): NUL,
 * encoded lone surrogates and other invalid UTF-8, traversal, controls, numbers.
 */
export const hostileTargetText: fc.Arbitrary<string> = oftenFirst(
  ['%00', 'a%00b', '%ED%B0%80', '%ED%A0%80', 'x%ED%A0%80y'],
  '%FF',
  '%C0%80',
  '%E2%80%AE',
  '%EF%BB%BF',
  '%F0%9F%98%80',
  '%01',
  '%1B',
  '%0A',
  '%0D%0A',
  '%7F',
  '%20',
  '%',
  '%zz',
  '..',
  '..%2F..%2Fpackage.json',
  '%2E%2E%2F',
  '~',
  '1e309',
  '-1',
  '0',
  '9007199254740993',
  'NaN',
  'null',
  '%5B%5D',
  '%7B%7D',
);

/** Bodies that are not (or not quite) JSON. */
export const invalidJsonBody: fc.Arbitrary<Uint8Array> = fc
  .constantFrom(
    '',
    ' ',
    '{',
    '}',
    '{"a":}',
    '{"a":1,}',
    '[1,]',
    "{'a':1}",
    'nul',
    'NaN',
    'Infinity',
    '-',
    '"\\ud800"',
    '"\\u0000"',
    '"unterminated',
    '{} trailing',
    '{}{}',
    '\u0000',
    '\ufeff{}',
    '/* comment */ {}',
    'a=1&b=2',
    '<a>1</a>',
    'null',
    'true',
    '0',
    '[]',
    '"text"',
  )
  .map((text) => new Uint8Array(Buffer.from(text, 'utf8')));

/** Bytes that are not UTF-8 at all: an encoded lone surrogate, an overlong NUL, a stray byte. */
export const invalidUtf8Body: fc.Arbitrary<Uint8Array> = fc
  .constantFrom([0xed, 0xa0, 0x80], [0xed, 0xb0, 0x80], [0xc0, 0x80], [0xff], [0xfe, 0xff, 0x00, 0x7b])
  .map((bytes) => new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, ...bytes, 0x22, 0x7d]));

/** Content types a JSON API must refuse or handle: forms, text, other charsets, none at all. */
export const oddContentType: fc.Arbitrary<string | undefined> = fc.constantFrom(
  undefined,
  'application/x-www-form-urlencoded',
  'text/plain',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'application/json;charset=UTF-8',
  'APPLICATION/JSON',
  'application/merge-patch+json',
  'application/problem+json',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/octet-stream',
  '*/*',
  '',
  'json',
);
