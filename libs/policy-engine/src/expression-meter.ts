import {
  celEnv,
  celFunc,
  CelScalar,
  isCelError,
  isCelList,
  isCelMap,
  type CelEnv,
  type CelFunc,
  type CelValue,
} from '@bufbuild/cel';
import { STEP_FUNCTION } from './expression-ast';

/**
 * Work one evaluation may do, in units of some 40 to 90 ns on the reference machine
 * (bench/worst-case, docs/benchmarks.md): 75,000 keeps the costliest evaluation a few ms. It
 * holds `list.exists(x, x in other)` over two lists of the largest accepted size (100 items), and
 * two nested comprehensions over lists of up to about 55 items each.
 */
export const EXPRESSION_BUDGET = 75_000;

/** What one evaluation has spent so far; evaluation is synchronous, so one meter serves all. */
const meter = { spent: 0 };

/** Starts metering one evaluation. */
export function startMeter(): void {
  meter.spent = 0;
}

/** Whether the evaluation since startMeter went over EXPRESSION_BUDGET. */
export function overBudget(): boolean {
  return meter.spent > EXPRESSION_BUDGET;
}

/** Charges work to the evaluation; whether the budget still holds. */
function charge(units: number): boolean {
  meter.spent += units;
  return meter.spent <= EXPRESSION_BUDGET;
}

/** Units per 64 characters of a string or bytes: what reading it once costs. */
function textWeight(value: CelValue | undefined): number {
  return typeof value === 'string' || value instanceof Uint8Array ? value.length >> 6 : 0;
}

/** The items of a list or map, not what they hold: what concatenating or sizing it costs. */
function shallowWeight(value: CelValue | undefined): number {
  return isCelList(value) || isCelMap(value) ? value.size : textWeight(value);
}

/** Units per item of a list or map compared deeply: reading it, and comparing it (measured). */
const ITEM_UNITS = 5;

/**
 * The items of a list or map and of all the lists and maps in it, with the strings they hold:
 * what comparing it deeply (==, in) costs. Counting stops at what the budget has left, so the
 * count itself stays bounded however large the value.
 */
function deepWeight(value: CelValue | undefined): number {
  if (!isCelList(value) && !isCelMap(value)) return textWeight(value);
  const limit = EXPRESSION_BUDGET - meter.spent + 1;
  let count = 0;
  const stack: CelValue[] = [value];
  while (stack.length > 0 && count < limit) {
    const current = stack.pop() as CelValue;
    if (isCelList(current) || isCelMap(current)) {
      count += current.size * ITEM_UNITS;
      const items = isCelList(current) ? current : current.values();
      if (count < limit)
        for (const item of items) if (typeof item === 'object' || typeof item === 'string') stack.push(item);
    } else {
      count += textWeight(current);
    }
  }
  return count;
}

/**
 * A failed call throws and builds an Error (its stack trace is not captured, see expression.ts):
 * a few µs, whatever the function.
 */
const ERROR_UNITS = 100;

/**
 * How each metered function weighs its arguments, and the units per weight (measured against one
 * node evaluated; bench/worst-case): a regular expression (RE2, linear, compiled on every call)
 * and size() of a string (which splits it into code points) cost far more per character than
 * reading it.
 */
const COSTS: Record<string, { weigh: (v: CelValue | undefined) => number; factor: number }> = {
  '_==_': { weigh: deepWeight, factor: 1 },
  '_!=_': { weigh: deepWeight, factor: 1 },
  '@in': { weigh: deepWeight, factor: 1 },
  '_+_': { weigh: shallowWeight, factor: 1 },
  size: { weigh: textWeight, factor: 12 },
  matches: { weigh: textWeight, factor: 32 },
};
const TEXT_COST = { weigh: textWeight, factor: 1 };

/** A standard function that does what it always did, then charges the work to the evaluation. */
function metered(func: CelFunc): CelFunc {
  const { weigh, factor } = COSTS[func.name] ?? TEXT_COST;
  const wrapper = Object.create(func) as CelFunc & { call: CelFunc['call'] };
  wrapper.call = (id, target, args) => {
    const result = func.call(id, target, args);
    // Undefined: not this overload; the next one of the name is tried, and charges if it applies.
    if (result === undefined) return result;
    let units = weigh(target);
    for (const arg of args) units += weigh(arg);
    charge(1 + units * factor + (isCelError(result) ? ERROR_UNITS : 0));
    return result;
  };
  return wrapper;
}

const standard = celEnv();
const step = celFunc(STEP_FUNCTION, [CelScalar.BOOL, CelScalar.INT], CelScalar.BOOL, (condition, units) =>
  charge(Number(units)) ? condition : false,
);

/**
 * The CEL environment of policy expressions: the standard one, every function metered (a call
 * that fails builds an Error, whatever the function: 1 / 0 in a loop is as costly as a regex).
 */
export const meteredEnv: CelEnv = celEnv({ funcs: [step, ...[...standard.funcs].map(metered)] });
