/**
 * google.protobuf.Struct as @grpc/proto-loader hands it over (oneofs on: each Value names its
 * `kind`), and back. The decision API speaks JSON; gRPC callers send Structs.
 */
export interface ProtoValue {
  kind?: 'nullValue' | 'numberValue' | 'stringValue' | 'boolValue' | 'structValue' | 'listValue';
  nullValue?: unknown;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: ProtoStruct;
  listValue?: { values?: ProtoValue[] };
}

export interface ProtoStruct {
  fields?: Record<string, ProtoValue>;
}

// Untrusted input: a Struct nested deeper than this is refused rather than walked.
const MAX_DEPTH = 32;

function valueToJson(value: ProtoValue, depth: number): unknown {
  if (depth > MAX_DEPTH) throw new RangeError(`nested deeper than ${MAX_DEPTH}`);
  switch (value.kind) {
    case 'numberValue':
      return value.numberValue;
    case 'stringValue':
      return value.stringValue;
    case 'boolValue':
      return value.boolValue;
    case 'structValue':
      return structToJson(value.structValue, depth + 1);
    case 'listValue':
      return (value.listValue?.values ?? []).map((v) => valueToJson(v, depth + 1));
    case 'nullValue':
    case undefined:
      return null;
  }
}

/** A Struct as plain JSON; undefined when absent. */
export function structToJson(
  struct: ProtoStruct | null | undefined,
  depth = 0,
): Record<string, unknown> | undefined {
  if (!struct) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(struct.fields ?? {})) out[key] = valueToJson(value, depth + 1);
  return out;
}

function jsonToValue(value: unknown): ProtoValue {
  if (value === null || value === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(jsonToValue) } };
  return { structValue: jsonToStruct(value as Record<string, unknown>) };
}

/** Plain JSON as a Struct. */
export function jsonToStruct(json: Record<string, unknown>): ProtoStruct {
  return { fields: Object.fromEntries(Object.entries(json).map(([k, v]) => [k, jsonToValue(v)])) };
}
