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
const UNSAFE_TEXT = new RegExp(`${CONTROL.source}|${LONE_SURROGATE.source}`);

const codePoint = (code: number) => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;

/**
 * Why a text cannot be accepted, or undefined when it can: a forbidden control character, or a
 * lone UTF-16 surrogate (which no UTF-8 store, PostgreSQL included, can hold).
 */
export function unsafeTextProblem(text: string): string | undefined {
  // This runs on every string of every request: a plain scan finds the usual clean text faster
  // than a regular expression call, which then only runs to say what and where.
  let suspect = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || (code >= 0xd800 && code <= 0xdfff)) {
      suspect = true;
      break;
    }
  }
  if (!suspect) return undefined;
  const unsafe = UNSAFE_TEXT.exec(text);
  if (!unsafe) return undefined;
  const code = text.charCodeAt(unsafe.index);
  return code < 0x20
    ? `contains the control character ${codePoint(code)} at offset ${unsafe.index}`
    : `contains a lone surrogate ${codePoint(code)} at offset ${unsafe.index}`;
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

/** A container waiting to be walked; its pointer is built from its parents only when needed. */
interface Pending {
  value: object;
  parent: Pending | undefined;
  key: string | number;
  depth: number;
}

function pointerOf(pending: Pending | undefined, base: string): string {
  const segments: string[] = [];
  for (let at = pending; at?.parent !== undefined; at = at.parent) segments.push(pointerSegment(at.key));
  return segments.length === 0 ? base : `${base}/${segments.reverse().join('/')}`;
}

/** Why a scalar value cannot be accepted, or undefined. */
function scalarProblem(value: unknown, limits: InputLimits): string | undefined {
  if (typeof value === 'string') return textProblem(value, limits.maxStringLength);
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : 'is not a finite number';
  if (typeof value === 'bigint') return 'is not a JSON number';
  return undefined;
}

/**
 * The problems of an untrusted JSON document (at most ten), each with the pointer of its field,
 * prefixed by `base`; empty when the document is acceptable. Iterative, so a document nested
 * thousands of levels deep is refused rather than overflowing the stack, and linear in its size.
 * It runs on every request body, so pointers are built only for the fields it reports.
 */
export function inputProblems(value: unknown, base = '', limits: InputLimits = INPUT_LIMITS): InputProblem[] {
  const problems: InputProblem[] = [];
  if (typeof value !== 'object' || value === null) {
    const problem = scalarProblem(value, limits);
    return problem ? [{ pointer: base, detail: problem }] : problems;
  }
  const report = (at: Pending | undefined, key: string | number | undefined, detail: string) => {
    const pointer = pointerOf(at, base);
    problems.push({ pointer: key === undefined ? pointer : `${pointer}/${pointerSegment(key)}`, detail });
  };
  const stack: Pending[] = [{ value, parent: undefined, key: '', depth: 1 }];
  let values = 1;
  while (stack.length > 0 && problems.length < MAX_PROBLEMS) {
    const container = stack.pop() as Pending;
    const current = container.value;
    if (container.depth > limits.maxDepth) {
      report(container, undefined, `is nested deeper than ${limits.maxDepth} levels`);
      continue;
    }
    const isArray = Array.isArray(current);
    const keys: (string | number)[] | undefined = isArray ? undefined : Object.keys(current);
    const length = isArray ? current.length : (keys as string[]).length;
    if (isArray ? length > limits.maxArrayItems : length > limits.maxObjectMembers) {
      report(
        container,
        undefined,
        isArray
          ? `has more than ${limits.maxArrayItems} items`
          : `has more than ${limits.maxObjectMembers} members`,
      );
      continue;
    }
    values += length;
    if (values > limits.maxValues) {
      problems.push({ pointer: base, detail: `holds more than ${limits.maxValues} values` });
      break;
    }
    // Children are pushed last to first so that problems come out in document order.
    const pending: Pending[] = [];
    for (let i = 0; i < length && problems.length < MAX_PROBLEMS; i++) {
      const key = isArray ? i : (keys as string[])[i];
      if (!isArray) {
        const keyProblem = textProblem(key as string, limits.maxStringLength);
        if (keyProblem) {
          report(container, key, `member name ${keyProblem}`);
          continue;
        }
      }
      const child: unknown = (current as Record<string | number, unknown>)[key];
      if (typeof child === 'object' && child !== null) {
        pending.push({ value: child, parent: container, key, depth: container.depth + 1 });
      } else {
        const problem = scalarProblem(child, limits);
        if (problem) report(container, key, problem);
      }
    }
    for (let i = pending.length - 1; i >= 0; i--) stack.push(pending[i]);
  }
  return problems;
}
