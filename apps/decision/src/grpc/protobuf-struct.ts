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

/** A Struct or list whose members are still to be converted into `out`. */
type Pending =
  | { fields: Record<string, ProtoValue>; out: Record<string, unknown> }
  | { values: ProtoValue[]; out: unknown[] };

// Defined rather than assigned: a member named `__proto__` stays a member, never a prototype.
function setMember(out: Record<string, unknown> | unknown[], key: string | number, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
}

/** One Value as JSON; a Struct or list comes back empty and is queued to be filled. */
function shallowJson(value: ProtoValue, pending: Pending[]): unknown {
  switch (value.kind) {
    case 'numberValue':
      return value.numberValue;
    case 'stringValue':
      return value.stringValue;
    case 'boolValue':
      return value.boolValue;
    case 'structValue': {
      const out: Record<string, unknown> = {};
      pending.push({ fields: value.structValue?.fields ?? {}, out });
      return out;
    }
    case 'listValue': {
      const out: unknown[] = [];
      pending.push({ values: value.listValue?.values ?? [], out });
      return out;
    }
    case 'nullValue':
    case undefined:
      return null;
  }
}

/**
 * A Struct as plain JSON; undefined when absent. Iterative, so a Struct nested thousands of
 * levels deep converts without overflowing the stack; such depth, non-finite numbers and unsafe
 * text are left in place for the caller to refuse with `inputProblems` (nothing is dropped).
 */
export function structToJson(struct: ProtoStruct | null | undefined): Record<string, unknown> | undefined {
  if (!struct) return undefined;
  const root: Record<string, unknown> = {};
  const pending: Pending[] = [{ fields: struct.fields ?? {}, out: root }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if ('fields' in next) {
      for (const [key, value] of Object.entries(next.fields))
        setMember(next.out, key, shallowJson(value, pending));
    } else {
      for (let i = 0; i < next.values.length; i++)
        setMember(next.out, i, shallowJson(next.values[i], pending));
    }
  }
  return root;
}

function jsonToValue(value: unknown): ProtoValue {
  if (value === null || value === undefined) return { nullValue: 'NULL_VALUE' };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(jsonToValue) } };
  return { structValue: jsonToStruct(value as Record<string, unknown>) };
}

/**
 * Plain JSON as a Struct. Recursive: it only converts what the engine answers (obligations of
 * policies, whose depth policy validation bounds), never caller input.
 */
export function jsonToStruct(json: Record<string, unknown>): ProtoStruct {
  return { fields: Object.fromEntries(Object.entries(json).map(([k, v]) => [k, jsonToValue(v)])) };
}
