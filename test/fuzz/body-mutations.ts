import fc from 'fast-check';

/** A place in a JSON value: the member names and indexes leading to it (empty: the root). */
type JsonPath = (string | number)[];

// Stands for raw JSON text that JSON.stringify cannot produce (1e309, 10,000 levels, duplicates).
const RAW_MARKER = 'zz-fuzz-raw-text-zz';

/** Every place in a value where another value could be put, the root included. */
function placesIn(value: unknown, path: JsonPath = []): JsonPath[] {
  const places: JsonPath[] = [path];
  if (Array.isArray(value)) value.forEach((item, index) => places.push(...placesIn(item, [...path, index])));
  else if (value !== null && typeof value === 'object') {
    for (const [name, member] of Object.entries(value)) places.push(...placesIn(member, [...path, name]));
  }
  return places;
}

/** Places that hold an object (where a member can be added). */
function objectPlacesIn(value: unknown): JsonPath[] {
  return placesIn(value).filter((path) => {
    const at = valueAt(value, path);
    return at !== null && typeof at === 'object' && !Array.isArray(at);
  });
}

function valueAt(value: unknown, path: JsonPath): unknown {
  return path.reduce<unknown>((at, step) => (at as Record<string | number, unknown>)[step], value);
}

/** A copy of `value` with `replacement` at `path`. */
function replaced(value: unknown, path: JsonPath, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy = structuredClone(value);
  const parent = valueAt(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path[path.length - 1]] = replacement;
  return copy;
}

/** A copy of `value` with member `name` added to the object at `path`. */
function withMember(value: unknown, path: JsonPath, name: string, member: unknown): unknown {
  const copy = structuredClone(value);
  (valueAt(copy, path) as Record<string, unknown>)[name] = member;
  return copy;
}

/** JSON text of `value` with raw text where the marker stands. */
function textWith(value: unknown, raw: string): string {
  return JSON.stringify(value).replace(JSON.stringify(RAW_MARKER), () => raw);
}

/** A body as sent, and what was done to the valid value to get it. */
export interface MutatedBody {
  text: string;
  change: string;
}

function pick<T>(items: T[], index: number): T {
  return items[index % items.length];
}

/** Puts a hostile string at some place of the value (a member value, an item, or the root). */
export function withHostileValue(base: unknown, index: number, hostile: string): MutatedBody {
  const path = pick(placesIn(base), index);
  return {
    text: JSON.stringify(replaced(base, path, hostile)),
    change: `${JSON.stringify(hostile)} at /${path.join('/')}`,
  };
}

/** Adds a member with a hostile name to some object of the value. */
export function withHostileMemberName(base: unknown, index: number, hostile: string): MutatedBody {
  const places = objectPlacesIn(base);
  if (places.length === 0) return withHostileValue(base, index, hostile);
  const path = pick(places, index);
  return {
    text: JSON.stringify(withMember(base, path, hostile, 1)),
    change: `member named ${JSON.stringify(hostile)} in /${path.join('/')}`,
  };
}

/**
 * Puts raw JSON text (a huge number, deep nesting) at some place of the value; with `numeric`,
 * at a place that holds a number when there is one (where the handler does arithmetic).
 */
export function withRawText(base: unknown, index: number, raw: string, numeric = false): MutatedBody {
  const numbers = numeric ? placesIn(base).filter((place) => typeof valueAt(base, place) === 'number') : [];
  const path = pick(numbers.length > 0 ? numbers : placesIn(base), index);
  const shown = raw.length > 40 ? `${raw.slice(0, 20)}…(${raw.length} chars)` : raw;
  return {
    text: textWith(replaced(base, path, RAW_MARKER), raw),
    change: `raw ${shown} at /${path.join('/')}`,
  };
}

/** Puts a value of another type (or an unknown member) at some place of the value. */
export function withWrongType(
  base: unknown,
  index: number,
  wrong: unknown,
  addUnknown: boolean,
): MutatedBody {
  const objects = objectPlacesIn(base);
  if (addUnknown && objects.length > 0) {
    const path = pick(objects, index);
    return {
      text: JSON.stringify(withMember(base, path, 'zz_unknown_field', wrong)),
      change: `unknown member zz_unknown_field in /${path.join('/')}`,
    };
  }
  const path = pick(placesIn(base), index);
  return {
    text: JSON.stringify(replaced(base, path, wrong)),
    change: `${JSON.stringify(wrong)} at /${path.join('/')}`,
  };
}

/** Repeats a member of the top-level object with another value (raw text: JSON.stringify cannot). */
export function withDuplicateKey(base: unknown, index: number, second: unknown): MutatedBody {
  if (base === null || typeof base !== 'object' || Array.isArray(base) || Object.keys(base).length === 0) {
    return { text: '{"a":1,"a":2}', change: 'duplicate member a' };
  }
  const name = pick(Object.keys(base), index);
  const text = JSON.stringify(base);
  return {
    text: `{${JSON.stringify(name)}:${JSON.stringify(second)},${text.slice(1)}`,
    change: `member ${name} twice, first ${JSON.stringify(second)}`,
  };
}

/** Any position index, reduced modulo the number of places at use. */
export const placeIndex: fc.Arbitrary<number> = fc.nat({ max: 10_000 });
