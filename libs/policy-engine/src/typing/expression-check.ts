import { parse } from '@bufbuild/cel';
import type { CelExpr } from '../expression-ast';
import { BOOL, DYN, NUMBER, STRING, typeName, type ValueType } from './value-types';

/**
 * A type checker for the CEL the engine accepts. @bufbuild/cel 0.6 ships a `check` that
 * handles constants and identifiers only (and is not exported), and its object types need
 * protobuf descriptors; this one walks the parsed expression with the attribute schema's types.
 * It is gradual: anything of unknown type (dyn) passes, so only certain mistakes are refused: a
 * variable that does not exist, a member an object does not declare, operands of kinds that can
 * never meet (a string compared with a number), a non-boolean where a boolean must be.
 */

type Call = Extract<CelExpr['exprKind'], { case: 'callExpr' }>['value'];
type Comprehension = Extract<CelExpr['exprKind'], { case: 'comprehensionExpr' }>['value'];

/** One type error: what, and the character offset in the expression where it was found. */
export interface ExpressionTypeError {
  offset: number;
  message: string;
}

/** Most errors reported per expression: after a few, more say little. */
const MAX_ERRORS = 5;

const ORDERED = new Set(['string', 'number', 'bool', 'bytes', 'timestamp', 'duration']);
const COMPARISONS = new Set(['_<_', '_<=_', '_>_', '_>=_']);
const ARITHMETIC = new Set(['_-_', '_*_', '_/_', '_%_']);
const STRING_METHODS = new Set(['contains', 'startsWith', 'endsWith', 'matches']);
const CONVERSIONS: Record<string, ValueType> = {
  int: NUMBER,
  uint: NUMBER,
  double: NUMBER,
  string: STRING,
  bool: BOOL,
  bytes: { kind: 'bytes' },
  timestamp: { kind: 'timestamp' },
  duration: { kind: 'duration' },
  dyn: DYN,
  type: { kind: 'type' },
};
const TIME_PARTS = new Set([
  'getFullYear',
  'getMonth',
  'getDate',
  'getDayOfMonth',
  'getDayOfWeek',
  'getDayOfYear',
  'getHours',
  'getMinutes',
  'getSeconds',
  'getMilliseconds',
]);

/** The type of each kind of literal; durations and timestamps are not literals in CEL text. */
const CONSTANTS: Record<string, ValueType> = {
  boolValue: BOOL,
  stringValue: STRING,
  int64Value: NUMBER,
  uint64Value: NUMBER,
  doubleValue: NUMBER,
  nullValue: { kind: 'null' },
  bytesValue: { kind: 'bytes' },
};

const known = (t: ValueType) => t.kind !== 'dyn';

/** Whether values of the two types could ever be equal (dyn and null meet anything). */
function comparable(a: ValueType, b: ValueType): boolean {
  if (!known(a) || !known(b) || a.kind === 'null' || b.kind === 'null') return true;
  if (a.kind === 'object' || a.kind === 'map') return b.kind === 'object' || b.kind === 'map';
  if (a.kind === 'list' && b.kind === 'list') return comparable(a.items, b.items);
  return a.kind === b.kind;
}

/** The text of a chain such as `resource.properties`, for messages; `the value` otherwise. */
function shown(expr: CelExpr): string {
  if (expr.exprKind.case === 'identExpr') return expr.exprKind.value.name;
  if (expr.exprKind.case === 'selectExpr' && expr.exprKind.value.operand) {
    const operand = shown(expr.exprKind.value.operand);
    return operand === 'the value' ? operand : `${operand}.${expr.exprKind.value.field}`;
  }
  return 'the value';
}

class ExpressionChecker {
  readonly errors: ExpressionTypeError[] = [];
  private readonly scopes: Map<string, ValueType>[] = [];

  constructor(
    private readonly globals: Record<string, ValueType>,
    private readonly positions: Record<string, number>,
  ) {}

  private error(expr: CelExpr, message: string): ValueType {
    if (this.errors.length < MAX_ERRORS) {
      this.errors.push({ offset: this.positions[String(expr.id)] ?? 0, message });
    }
    return DYN; // what failed is unknown from here on: one mistake, one error
  }

  check(expr: CelExpr): ValueType {
    const kind = expr.exprKind;
    switch (kind.case) {
      case 'constExpr':
        return this.constant(kind.value.constantKind.case);
      case 'identExpr':
        return this.identifier(expr, kind.value.name);
      case 'selectExpr': {
        const operand = kind.value.operand ? this.check(kind.value.operand) : DYN;
        const member = this.member(expr, operand, kind.value.field, kind.value.operand);
        return kind.value.testOnly ? BOOL : member;
      }
      case 'callExpr':
        return this.call(expr, kind.value);
      case 'listExpr': {
        const items = kind.value.elements.map((e) => this.check(e));
        const first = items[0];
        return {
          kind: 'list',
          items: first && items.every((t) => JSON.stringify(t) === JSON.stringify(first)) ? first : DYN,
        };
      }
      case 'structExpr':
        for (const entry of kind.value.entries) {
          if (entry.keyKind.case === 'mapKey') this.check(entry.keyKind.value);
          if (entry.value) this.check(entry.value);
        }
        return { kind: 'map', values: DYN };
      case 'comprehensionExpr':
        return this.comprehension(kind.value);
      case undefined:
        return DYN;
    }
  }

  private constant(kind: string | undefined): ValueType {
    return (kind !== undefined && Object.hasOwn(CONSTANTS, kind) ? CONSTANTS[kind] : undefined) ?? DYN;
  }

  private identifier(expr: CelExpr, name: string): ValueType {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const type = this.scopes[i].get(name);
      if (type) return type;
    }
    if (Object.hasOwn(this.globals, name)) return this.globals[name];
    return this.error(
      expr,
      `'${name}' is not a variable: expressions see ${Object.keys(this.globals).join(', ')}`,
    );
  }

  private member(expr: CelExpr, operand: ValueType, field: string, of: CelExpr | undefined): ValueType {
    if (operand.kind === 'dyn') return DYN;
    if (operand.kind === 'map') return operand.values;
    if (operand.kind !== 'object')
      return this.error(expr, `cannot read '${field}' of a ${typeName(operand)}`);
    if (Object.hasOwn(operand.members, field)) return operand.members[field];
    return this.error(
      expr,
      `${of ? shown(of) : operand.name} has no member '${field}'; the attribute schema declares ${
        Object.keys(operand.members).join(', ') || 'none'
      }`,
    );
  }

  private expect(expr: CelExpr, type: ValueType, wanted: ValueType, what: string): void {
    if (known(type) && !comparable(type, wanted)) {
      this.error(expr, `${what} must be a ${typeName(wanted)}, not a ${typeName(type)}`);
    }
  }

  private call(expr: CelExpr, call: Call): ValueType {
    const target = call.target ? this.check(call.target) : undefined;
    const args = call.args.map((a) => this.check(a));
    const [a, b] = args;
    const fn = call.function;
    if (fn === '_&&_' || fn === '_||_' || fn === '!_' || fn === '@not_strictly_false') {
      call.args.forEach((arg, i) => this.expect(arg, args[i], BOOL, `an operand of ${fn.replace(/_/g, '')}`));
      return BOOL;
    }
    if (fn === '_==_' || fn === '_!=_') {
      if (!comparable(a, b)) this.error(expr, `compares a ${typeName(a)} with a ${typeName(b)}: never equal`);
      return BOOL;
    }
    if (COMPARISONS.has(fn)) {
      if (known(a) && known(b) && (!comparable(a, b) || !ORDERED.has(a.kind))) {
        this.error(expr, `cannot order a ${typeName(a)} and a ${typeName(b)}`);
      }
      return BOOL;
    }
    if (fn === '@in') return this.membership(expr, a, b);
    if (fn === '_?_:_') {
      this.expect(call.args[0], a, BOOL, 'the condition of ?:');
      return JSON.stringify(args[1]) === JSON.stringify(args[2]) ? args[1] : DYN;
    }
    if (fn === '_[_]') return this.index(expr, a, b, call.args[1]);
    if (fn === '_+_') return this.plus(expr, a, b);
    if (ARITHMETIC.has(fn) || fn === '-_') {
      for (const t of args) {
        if (known(t) && !['number', 'timestamp', 'duration'].includes(t.kind)) {
          return this.error(expr, `cannot do arithmetic on a ${typeName(t)}`);
        }
      }
      return args.every((t) => t.kind === 'number') ? NUMBER : DYN;
    }
    return this.function(expr, fn, target, args);
  }

  private membership(expr: CelExpr, item: ValueType, collection: ValueType): ValueType {
    if (collection.kind === 'list' && !comparable(item, collection.items)) {
      this.error(expr, `looks for a ${typeName(item)} in a ${typeName(collection)}`);
    } else if (
      (collection.kind === 'map' || collection.kind === 'object') &&
      known(item) &&
      item.kind !== 'string'
    ) {
      this.error(expr, `looks for a ${typeName(item)} among the keys of a ${typeName(collection)}`);
    } else if (known(collection) && !['list', 'map', 'object'].includes(collection.kind)) {
      this.error(expr, `'in' needs a list or a map, not a ${typeName(collection)}`);
    }
    return BOOL;
  }

  private index(expr: CelExpr, collection: ValueType, key: ValueType, keyExpr: CelExpr): ValueType {
    if (collection.kind === 'dyn') return DYN;
    if (collection.kind === 'list') {
      this.expect(keyExpr, key, NUMBER, 'a list index');
      return collection.items;
    }
    if (collection.kind === 'map') {
      this.expect(keyExpr, key, STRING, 'a map key');
      return collection.values;
    }
    if (collection.kind !== 'object') return this.error(expr, `cannot index a ${typeName(collection)}`);
    const k = keyExpr.exprKind;
    // `properties["ownerID"]` is the same read as `properties.ownerID`, checked the same way.
    if (k.case === 'constExpr' && k.value.constantKind.case === 'stringValue') {
      return this.member(expr, collection, k.value.constantKind.value, undefined);
    }
    this.expect(keyExpr, key, STRING, 'a key');
    return DYN;
  }

  private plus(expr: CelExpr, a: ValueType, b: ValueType): ValueType {
    if (!known(a) || !known(b)) return DYN;
    if (a.kind === 'list' && b.kind === 'list') {
      return { kind: 'list', items: JSON.stringify(a.items) === JSON.stringify(b.items) ? a.items : DYN };
    }
    if (a.kind === b.kind && ['string', 'number', 'bytes', 'duration'].includes(a.kind)) return a;
    if (
      (a.kind === 'timestamp' && b.kind === 'duration') ||
      (a.kind === 'duration' && b.kind === 'timestamp')
    ) {
      return { kind: 'timestamp' };
    }
    return this.error(expr, `cannot add a ${typeName(a)} and a ${typeName(b)}`);
  }

  /** Named functions and methods; an unknown one is left to the runtime (dyn). */
  private function(expr: CelExpr, fn: string, target: ValueType | undefined, args: ValueType[]): ValueType {
    if (target === undefined && Object.hasOwn(CONVERSIONS, fn)) return CONVERSIONS[fn];
    if (fn === 'size') {
      const of = target ?? args[0] ?? DYN;
      if (known(of) && !['string', 'bytes', 'list', 'map', 'object'].includes(of.kind)) {
        return this.error(expr, `size() needs a string, list or map, not a ${typeName(of)}`);
      }
      return NUMBER;
    }
    if (target !== undefined && STRING_METHODS.has(fn)) {
      if (known(target) && target.kind !== 'string') {
        return this.error(expr, `${fn}() needs a string, not a ${typeName(target)}`);
      }
      args.forEach((t) => known(t) && t.kind !== 'string' && this.error(expr, `${fn}() takes a string`));
      return BOOL;
    }
    if (target !== undefined && TIME_PARTS.has(fn)) {
      if (known(target) && target.kind !== 'timestamp') {
        return this.error(
          expr,
          `${fn}() needs a timestamp, not a ${typeName(target)}; convert it with timestamp()`,
        );
      }
      return NUMBER;
    }
    return DYN;
  }

  private comprehension(c: Comprehension): ValueType {
    const range = c.iterRange ? this.check(c.iterRange) : DYN;
    let item: ValueType = DYN;
    if (range.kind === 'list') item = range.items;
    else if (range.kind === 'map' || range.kind === 'object') item = STRING;
    else if (known(range) && c.iterRange) this.error(c.iterRange, `cannot iterate over a ${typeName(range)}`);
    const accumulator = c.accuInit ? this.check(c.accuInit) : DYN;
    const scope = new Map<string, ValueType>([
      [c.iterVar, item],
      [c.accuVar, accumulator.kind === 'list' ? { kind: 'list', items: DYN } : accumulator],
    ]);
    if (c.iterVar2) scope.set(c.iterVar2, DYN);
    this.scopes.push(scope);
    try {
      if (c.loopCondition) this.check(c.loopCondition);
      const step = c.loopStep ? this.check(c.loopStep) : DYN;
      scope.set(c.accuVar, step.kind === 'dyn' ? (scope.get(c.accuVar) ?? DYN) : step);
      return c.result ? this.check(c.result) : DYN;
    } finally {
      this.scopes.pop();
    }
  }
}

/**
 * Type-checks a CEL expression over the given variables. Returns its errors (empty when it
 * checks) and its result type; an expression that does not parse has no type errors here
 * (its syntax error is the parser's to report).
 */
export function checkExpression(
  source: string,
  variables: Record<string, ValueType>,
): { errors: ExpressionTypeError[]; type: ValueType } {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(source);
  } catch {
    return { errors: [], type: DYN };
  }
  const positions: Record<string, number> = {};
  for (const [id, offset] of Object.entries(parsed.sourceInfo?.positions ?? {})) positions[id] = offset;
  const checker = new ExpressionChecker(variables, positions);
  const type = parsed.expr ? checker.check(parsed.expr) : DYN;
  if (checker.errors.length === 0 && known(type) && type.kind !== 'bool') {
    checker.errors.push({ offset: 0, message: `is a ${typeName(type)}, not a boolean` });
  }
  return { errors: checker.errors, type };
}
