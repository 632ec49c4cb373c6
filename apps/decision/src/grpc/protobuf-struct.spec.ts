import { jsonToStruct, ProtoStruct, structToJson } from './protobuf-struct';

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

describe('protobuf Struct <-> JSON', () => {
  it('round-trips nested JSON', () => {
    const json = { a: 1, b: 'x', c: true, d: null, e: [1, 'two', { f: false }], g: { h: { i: 2.5 } } };
    expect(structToJson(withKinds(jsonToStruct(json)))).toEqual(json);
  });

  it('refuses structures nested too deep', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) deep = { d: deep };
    expect(() => structToJson(withKinds(jsonToStruct(deep)))).toThrow(/nested deeper/);
  });

  it('reads an absent Struct as undefined', () => {
    expect(structToJson(undefined)).toBeUndefined();
    expect(structToJson(null)).toBeUndefined();
  });
});
