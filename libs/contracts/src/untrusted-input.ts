/**
 * The one rule for untrusted input, applied wherever input enters: HTTP bodies, path parameters
 * and query strings, gRPC fields and events read from the bus. It refuses what PostgreSQL or JSON
 * cannot carry faithfully (so one caller's record can never poison a batch of other callers'
 * records downstream) and what would make later recursive work (canonical JSON, hashing, CEL)
 * overflow the stack or produce non-JSON numbers.
 */

/** Bounds on one untrusted JSON document. Documented in docs/api.md ("Input limits"). */
export interface InputLimits {
  /** Deepest nesting of objects and arrays (the document itself is depth 1). */
  readonly maxDepth: number;
  /** Longest string, key or value, in UTF-16 code units. */
  readonly maxStringLength: number;
  /** Most items in one array. */
  readonly maxArrayItems: number;
  /** Most members in one object. */
  readonly maxObjectMembers: number;
  /** Most values (objects, arrays, strings, numbers, booleans, nulls) in the whole document. */
  readonly maxValues: number;
}

/** The limits every body and event is held to; routes may hold theirs tighter with their schemas. */
export const INPUT_LIMITS: InputLimits = {
  maxDepth: 32,
  maxStringLength: 65_536,
  maxArrayItems: 10_000,
  maxObjectMembers: 1_000,
  maxValues: 200_000,
};

/** One refused part of an input: the RFC 6901 pointer of the field and what is wrong with it. */
export interface InputProblem {
  pointer: string;
  detail: string;
}

/** More problems than this in one input are not listed: the first few say enough. */
const MAX_PROBLEMS = 10;

// C0 control characters other than tab, line feed and carriage return. U+0000 cannot be stored in
// PostgreSQL text or jsonb at all; the others have no place in identifiers or free text and are how
// terminal escape sequences get into logs.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

// A high surrogate not followed by a low one, or a low one not preceded by a high one (matched on
// UTF-16 code units: no `u` flag). Linear: each alternative looks one unit around.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const codePoint = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Why a text cannot be accepted, or undefined when it can: a forbidden control character, or a
 * lone UTF-16 surrogate (which no UTF-8 store, PostgreSQL included, can hold).
 */
export function unsafeTextProblem(text: string): string | undefined {
  const control = CONTROL.exec(text);
  if (control) {
    return `contains the control character ${codePoint(text.charCodeAt(control.index))} at offset ${control.index}`;
  }
  const surrogate = LONE_SURROGATE.exec(text);
  if (surrogate) {
    return `contains a lone surrogate ${codePoint(text.charCodeAt(surrogate.index))} at offset ${surrogate.index}`;
  }
  return undefined;
}

/** Why a text field cannot be accepted (unsafe characters or longer than the limit), or undefined. */
export function textProblem(text: string, maxLength = INPUT_LIMITS.maxStringLength): string | undefined {
  if (text.length > maxLength) return `is longer than ${maxLength} characters`;
  return unsafeTextProblem(text);
}

/** RFC 6901: `~` and `/` in a member name are escaped in a pointer. */
export function pointerSegment(name: string | number): string {
  return typeof name === 'number' ? String(name) : name.replace(/~/g, '~0').replace(/\//g, '~1');
}

interface Pending {
  value: unknown;
  pointer: string;
  depth: number;
}

/**
 * The problems of an untrusted JSON document (at most ten), each with the pointer of its field,
 * prefixed by `base`; empty when the document is acceptable. Iterative, so a document nested
 * thousands of levels deep is refused rather than overflowing the stack, and linear in its size.
 */
export function inputProblems(value: unknown, base = '', limits: InputLimits = INPUT_LIMITS): InputProblem[] {
  const problems: InputProblem[] = [];
  const report = (pointer: string, detail: string) => problems.push({ pointer, detail });
  const stack: Pending[] = [{ value, pointer: base, depth: 1 }];
  let values = 0;
  while (stack.length > 0 && problems.length < MAX_PROBLEMS) {
    const { value: current, pointer, depth } = stack.pop() as Pending;
    if (++values > limits.maxValues) {
      report(base, `holds more than ${limits.maxValues} values`);
      break;
    }
    if (typeof current === 'string') {
      const problem = textProblem(current, limits.maxStringLength);
      if (problem) report(pointer, problem);
    } else if (typeof current === 'number') {
      if (!Number.isFinite(current)) report(pointer, 'is not a finite number');
    } else if (typeof current === 'bigint') {
      report(pointer, 'is not a JSON number');
    } else if (typeof current === 'object' && current !== null) {
      if (depth > limits.maxDepth) {
        report(pointer, `is nested deeper than ${limits.maxDepth} levels`);
        continue;
      }
      if (Array.isArray(current)) {
        if (current.length > limits.maxArrayItems) {
          report(pointer, `has more than ${limits.maxArrayItems} items`);
          continue;
        }
        for (let i = current.length - 1; i >= 0; i--) {
          stack.push({ value: current[i], pointer: `${pointer}/${i}`, depth: depth + 1 });
        }
      } else {
        const keys = Object.keys(current);
        if (keys.length > limits.maxObjectMembers) {
          report(pointer, `has more than ${limits.maxObjectMembers} members`);
          continue;
        }
        for (let i = keys.length - 1; i >= 0; i--) {
          const key = keys[i];
          const memberPointer = `${pointer}/${pointerSegment(key)}`;
          const keyProblem = textProblem(key, limits.maxStringLength);
          if (keyProblem) {
            report(memberPointer, `member name ${keyProblem}`);
            continue;
          }
          stack.push({
            value: (current as Record<string, unknown>)[key],
            pointer: memberPointer,
            depth: depth + 1,
          });
        }
      }
    }
  }
  return problems;
}
