import fc from 'fast-check';
import { hostileString, longString, rawNumberText } from './hostile-values';

/** What the gRPC fuzzers need to know about the running product: tokens of each kind. */
export interface GrpcFuzzContext {
  /** In group engineering, with role `pep` (may ask about other subjects) and MFA. */
  pepToken: string;
  /** In group engineering, no role: asking about another subject is PERMISSION_DENIED. */
  plainToken: string;
}

/** One call of a gRPC fuzz run: a message (encoded with the .proto), maybe raw bytes after it, and metadata. */
export interface GrpcCase {
  method: 'Decide' | 'Check';
  /** What kind of input it is (failures are grouped by it), e.g. `hostile Struct`. */
  kind: string;
  message: Record<string, unknown>;
  /**
   * Bytes sent as they are (what the .proto cannot encode) and what they are: after the encoded
   * message, or in place of the `placeholder` text in it (same length in UTF-8), since protobufjs
   * replaces a repeated message field rather than merging it.
   */
  raw?: { bytes: Buffer; shown: string; placeholder?: string };
  metadata: Record<string, string>;
  /** Why the raw bytes are refused whatever else the message holds; undefined when they are not. */
  refused?: string;
}

/** A protobuf varint. */
function varint(n: number): number[] {
  const out: number[] = [];
  for (; n > 0x7f; n = Math.floor(n / 128)) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return out;
}

/** A length-delimited field of field number `number`. */
export function lengthDelimited(number: number, bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(number << 3) | 2, ...varint(bytes.length)]), bytes]);
}

/**
 * A google.protobuf.Struct nested `levels` deep, as lists ({"d": [[[...1]]]}) or Structs, encoded
 * by hand (protobufjs overflows its stack building it). Each level's prefix is computed from the
 * inside out and emitted outside in, so the cost is linear in the size.
 */
export function deepStructBytes(levels: number, kind: 'struct' | 'list'): Buffer {
  const leaf = Buffer.from([0x11, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]); // Value { number_value: 1 }
  const prefixes: Buffer[] = [];
  let length = leaf.length; // of the Value inside the current level
  for (let level = 0; level < levels; level++) {
    // struct: Value { struct_value (5): Struct { fields (1): entry { key (1): "d", value (2) } } }
    // list:   Value { list_value (6): ListValue { values (1): Value } }
    const inner =
      kind === 'struct'
        ? [0x0a, ...varint(3 + 1 + varint(length).length + length), 0x0a, 0x01, 0x64, 0x12, ...varint(length)]
        : [0x0a, ...varint(length)];
    const outer = level === levels - 1 && kind === 'struct' ? [] : [kind === 'struct' ? 0x2a : 0x32];
    const innerLength = inner.length + length;
    const prefix = outer.length ? [...outer, ...varint(innerLength), ...inner] : inner;
    prefixes.push(Buffer.from(prefix));
    length = prefix.length + length;
  }
  // A list is wrapped in one Struct so the result is a Struct either way.
  const body = Buffer.concat([...prefixes.reverse(), leaf]);
  return kind === 'struct'
    ? body
    : lengthDelimited(1, Buffer.concat([Buffer.from([0x0a, 0x01, 0x64]), lengthDelimited(2, body)]));
}

/** Numbers a protobuf double carries that JSON cannot: NaN, infinities, and the edges. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  rawNumberText.map(Number),
  fc.constantFrom(Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 64),
);

/** Text any field accepts. */
export const plainText = fc.constantFrom('GET', 'gitlab.company.com/x', 'engineering', 'a', 'é', '😀', 'a b');
/** Text of every kind: ordinary, hostile (NUL, lone surrogates, controls), longer than any limit. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: plainText },
  { weight: 3, arbitrary: hostileString },
  { weight: 1, arbitrary: longString },
);

/** A google.protobuf.Value or Struct as proto-loader takes it. */
export type Value = Record<string, unknown>;

/** A google.protobuf.Value (as proto-loader takes it) of a scalar kind, hostile or not. */
export const scalarValue: fc.Arbitrary<Value> = fc.oneof(
  anyText.map((stringValue) => ({ stringValue })),
  hostileNumber.map((numberValue) => ({ numberValue })),
  fc.double().map((numberValue) => ({ numberValue })),
  fc.boolean().map((boolValue) => ({ boolValue })),
  fc.constant({ nullValue: 'NULL_VALUE' }),
  // No kind at all: read as null.
  fc.constant({}),
);

/** A Struct of hostile member names and values, a few levels deep. */
export const hostileStruct: fc.Arbitrary<Value> = fc.letrec<{ struct: Value; value: Value }>((tie) => ({
  struct: fc
    .array(fc.tuple(fc.oneof(plainText, anyText), tie('value')), { maxLength: 4 })
    .map((entries) => ({ fields: Object.fromEntries(entries) })),
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 4, arbitrary: scalarValue },
    tie('struct').map((structValue) => ({ structValue })),
    fc.array(tie('value'), { maxLength: 3 }).map((values) => ({ listValue: { values } })),
  ),
})).struct;

/**
 * A Struct with many refused member names, long and non-ASCII: the answer names each, so its
 * message is long (and clipped) and holds astral characters.
 */
export const manyRefusedNames: fc.Arbitrary<Value> = fc
  .array(
    fc.tuple(
      fc.constantFrom('😀', '😀', 'é', 'x'),
      fc.integer({ min: 100, max: 300 }),
      fc.constantFrom('\u0000', '\u001b'),
    ),
    {
      minLength: 6,
      maxLength: 12,
    },
  )
  .map((names) => ({
    fields: Object.fromEntries(
      names.map(([unit, length, bad], i) => [`${i}${unit.repeat(length)}${bad}`, { numberValue: i }]),
    ),
  }));

/** A Struct `depth` levels deep, built as the .proto's objects: past the decision limit (8), the JSON limit (32). */
export const deepStruct: fc.Arbitrary<Value> = fc
  .tuple(fc.constantFrom(9, 33, 45), fc.constantFrom('struct' as const, 'list' as const))
  .map(([depth, kind]) => {
    let value: Value = { numberValue: 1 };
    for (let level = 1; level < depth; level++)
      value =
        kind === 'struct' ? { structValue: { fields: { d: value } } } : { listValue: { values: [value] } };
    return { fields: { d: value } };
  });

/** A Struct of values of kinds a field does not expect: lists for ids, numbers for the device, strings for times. */
export const wrongKindStruct: fc.Arbitrary<Value> = fc
  .subarray(['device', 'ip', 'time', 'amr', 'risk_score', 'country', 'vpn'], { minLength: 1 })
  .chain((keys) =>
    fc
      .tuple(
        ...keys.map(() =>
          scalarValue.chain((v) =>
            fc.constantFrom(v, { listValue: { values: [v] } }, { structValue: { fields: { id: v } } }),
          ),
        ),
      )
      .map((values) => ({ fields: Object.fromEntries(keys.map((key, i) => [key, values[i]])) })),
  );

// What the rule refuses in text once it has crossed the wire: protobuf strings are UTF-8, so a
// lone surrogate arrives as U+FFFD and is no longer refused.
const REFUSED_TEXT =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function refusedText(text: string): boolean {
  return REFUSED_TEXT.test(Buffer.from(text, 'utf8').toString('utf8'));
}

/** Where `value` (message objects, any depth) holds text or a number the input rule refuses; undefined if nowhere. */
export function refusedInput(value: unknown, at = ''): string | undefined {
  if (typeof value === 'string') return refusedText(value) ? `text ${at}` : undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `number ${value} ${at}`;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, member] of Object.entries(value)) {
    if (refusedText(key)) return `member name ${JSON.stringify(`${at}/${key}`.slice(0, 60))}…`;
    const found = refusedInput(member, `${at}/${key}`);
    if (found) return found;
  }
  return undefined;
}

/** Metadata whose token is one of ours, none, or not a token. */
export function tokenMetadata(context: GrpcFuzzContext): fc.Arbitrary<Record<string, string>> {
  // Mostly valid, so that most calls get past authentication to the decision.
  return fc
    .constantFrom(context.pepToken, context.pepToken, context.plainToken, undefined, 'not-a-token')
    .map((token): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {}));
}

/** Bytes after a valid message that make it no protobuf at all, and what they are. */
export const UNDECODABLE = fc.constantFrom<[Buffer, string]>(
  [Buffer.from([0xff, 0xff, 0xff, 0xff]), 'bytes ff ff ff ff (not protobuf)'],
  [Buffer.from([0x12, 0x05, 0x41]), 'action (2) declared 5 bytes long, 1 sent'],
  [Buffer.from([0x0f]), 'a field of wire type 7, which does not exist'],
  [
    Buffer.from([0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]),
    'a varint 11 bytes long',
  ],
);

/** Not UTF-8 (read as U+FFFD, allowed) or UTF-8 holding NUL or a control (refused), as one string field. */
export const RAW_TEXT = fc.constantFrom<[number[], string, boolean]>(
  [[0xed, 0xa0, 0x80], 'an encoded lone surrogate', false],
  [[0xc0, 0x80], 'an overlong NUL', false],
  [[0xff, 0xfe], 'bytes ff fe', false],
  [[0x41, 0x00, 0x42], 'a NUL byte', true],
  [[0x41, 0x1b, 0x5b], 'an ESC byte', true],
);

/** Depths (Struct levels) and shapes of Structs past protobufjs's 100-message decoding limit. */
export const deepPastProtobuf = fc.tuple(
  fc.constantFrom(60, 200, 10_000),
  fc.constantFrom('struct' as const, 'list' as const),
);
