// google.protobuf.Struct as @grpc/proto-loader represents it ({ fields: { k: { stringValue } } }),
// to and from plain JSON: the decision's attributes, context and obligations travel as Structs.

/** A protobuf Value as proto-loader gives it (with `oneofs: true`, `kind` names the member set). */
export interface ProtoValue {
  kind?: string;
  nullValue?: number | string;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: ProtoStruct;
  listValue?: { values?: ProtoValue[] };
}

/** A protobuf Struct as proto-loader gives it. */
export interface ProtoStruct {
  fields?: Record<string, ProtoValue>;
}

/** A JSON value as a protobuf Value. */
export function toProtoValue(value: unknown): ProtoValue {
  if (value === null || value === undefined) return { nullValue: 0 };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(toProtoValue) } };
  return { structValue: toStruct(value as Record<string, unknown>) };
}

/** A JSON object as a protobuf Struct. */
export function toStruct(object: Record<string, unknown>): ProtoStruct {
  return { fields: Object.fromEntries(Object.entries(object).map(([k, v]) => [k, toProtoValue(v)])) };
}

/** A protobuf Value as JSON. */
export function fromProtoValue(value: ProtoValue | undefined): unknown {
  switch (value?.kind) {
    case 'numberValue':
      return value.numberValue;
    case 'stringValue':
      return value.stringValue;
    case 'boolValue':
      return value.boolValue;
    case 'structValue':
      return fromStruct(value.structValue);
    case 'listValue':
      return (value.listValue?.values ?? []).map(fromProtoValue);
    case undefined:
    default:
      return null;
  }
}

/** A protobuf Struct as a JSON object. */
export function fromStruct(struct: ProtoStruct | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(struct?.fields ?? {}).map(([k, v]) => [k, fromProtoValue(v)]));
}
