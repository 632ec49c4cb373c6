import { inputProblems } from '@zt/contracts';
import { jsonToStruct, ProtoStruct, ProtoValue, structToJson } from './protobuf-struct';

/** What proto-loader (oneofs on) gives for a Struct: each value names its kind. */
function withKinds(struct: ProtoStruct): ProtoStruct {
  const value = (v: Record<string, unknown>): Record<string, unknown> => {
    const kind = Object.keys(v)[0];
    const inner = v[kind] as Record<string, unknown>;
    if (kind === 'structValue') return { kind, structValue: withKinds(inner) };
    if (kind === 'listValue')
      return { kind, listValue: { values: (inner.values as Record<string, unknown>[]).map(value) } };
    return { kind, ...v };
  };
  return {
    fields: Object.fromEntries(
      Object.entries(struct.fields ?? {}).map(([k, v]) => [k, value(v as Record<string, unknown>)]),
    ),
  };
}

/** A Struct nested `levels` deep, built without recursion (as a hostile caller's bytes decode). */
function nestedStruct(levels: number, leaf: ProtoValue): ProtoStruct {
  let struct: ProtoStruct = { fields: { leaf } };
  for (let i = 1; i < levels; i++) {
    struct = { fields: { d: { kind: 'structValue', structValue: struct } } };
  }
  return struct;
}

describe('protobuf Struct <-> JSON', () => {
  it('round-trips nested JSON, keeping member order', () => {
    const json = { a: 1, b: 'x', c: true, d: null, e: [1, 'two', { f: false }], g: { h: { i: 2.5 } } };
    const back = structToJson(withKinds(jsonToStruct(json)));
    expect(back).toEqual(json);
    expect(Object.keys(back!)).toEqual(Object.keys(json));
  });

  it('converts a Struct nested 10,000 levels deep without overflowing the stack, for inputProblems to refuse', () => {
    const json = structToJson(nestedStruct(10_000, { kind: 'numberValue', numberValue: 1 }));
    expect(inputProblems({ context: json })).toEqual([
      { pointer: `/context${'/d'.repeat(31)}`, detail: 'is nested deeper than 32 levels' },
    ]);
  });

  it('keeps NaN and Infinity as they came, for inputProblems to refuse', () => {
    const json = structToJson(withKinds(jsonToStruct({ nan: Number.NaN, list: [Number.POSITIVE_INFINITY] })));
    expect(inputProblems(json, '/context')).toEqual([
      { pointer: '/context/nan', detail: 'is not a finite number' },
      { pointer: '/context/list/0', detail: 'is not a finite number' },
    ]);
  });

  it('keeps a member named __proto__ as a member, never as the prototype', () => {
    const json = structToJson({
      fields: {
        ['__proto__']: {
          kind: 'structValue',
          structValue: { fields: { admin: { kind: 'boolValue', boolValue: true } } },
        },
      },
    });
    expect(Object.getPrototypeOf(json)).toBe(Object.prototype);
    expect(Object.keys(json!)).toEqual(['__proto__']);
    expect((json as Record<string, unknown>).admin).toBeUndefined();
  });

  it('reads an absent Struct as undefined', () => {
    expect(structToJson(undefined)).toBeUndefined();
    expect(structToJson(null)).toBeUndefined();
  });
});
