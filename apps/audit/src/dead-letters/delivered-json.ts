/** A piece of JSON text already written, on the serializer's stack among values still to write. */
class Written {
  constructor(readonly text: string) {}
}

/**
 * The JSON text of a value as the bus delivered it, for keeping a dead letter whole. Unlike
 * JSON.stringify it never overflows the stack (a message nested thousands of levels deep parses
 * fine, since JSON.parse is iterative, and must be kept too) and writes an infinite number as
 * `1e999`/`-1e999`, the JSON that parses back to it, instead of `null`. NUL and lone surrogates
 * come out as `\u` escapes, so the text is valid UTF-8 and parses back to exactly what arrived.
 */
export function deliveredJson(value: unknown): string {
  let out = '';
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (item instanceof Written) {
      out += item.text;
    } else if (typeof item === 'number') {
      out += Number.isFinite(item)
        ? JSON.stringify(item)
        : Number.isNaN(item)
          ? 'null'
          : item > 0
            ? '1e999'
            : '-1e999';
    } else if (typeof item === 'string' || typeof item === 'boolean') {
      out += JSON.stringify(item);
    } else if (Array.isArray(item)) {
      out += '[';
      stack.push(new Written(']'));
      for (let i = item.length - 1; i >= 0; i--) {
        stack.push(item[i] === undefined ? null : item[i]);
        if (i > 0) stack.push(new Written(','));
      }
    } else if (typeof item === 'object' && item !== null) {
      const record = item as Record<string, unknown>;
      const keys = Object.keys(record).filter((k) => record[k] !== undefined);
      out += '{';
      stack.push(new Written('}'));
      for (let i = keys.length - 1; i >= 0; i--) {
        stack.push(record[keys[i]]);
        stack.push(new Written(`${JSON.stringify(keys[i])}:`));
        if (i > 0) stack.push(new Written(','));
      }
    } else {
      // undefined, functions, symbols, bigints: nothing JSON.parse produces; written as JSON does.
      out += 'null';
    }
  }
  return out;
}

// C0 controls and lone UTF-16 surrogates: what PostgreSQL text cannot hold or logs must not carry.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Hostile text made safe to store in a text column or write to a log: control characters and lone
 * surrogates as `\uXXXX` escapes, and at most `max` characters (the raw bytes keep the rest).
 */
export function printable(text: string, max = 512): string {
  const escaped = text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (escaped.length <= max) return escaped;
  // Never cut a surrogate pair in two: that would make the very lone surrogate escaped above.
  const end = /[\uD800-\uDBFF]/.test(escaped[max - 1]) ? max - 1 : max;
  return `${escaped.slice(0, end)}…`;
}
