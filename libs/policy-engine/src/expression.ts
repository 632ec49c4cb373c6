import { isCelError, parse, plan } from '@bufbuild/cel';
import { meterLoops, shapeOf } from './expression-ast';
import { EXPRESSION_BUDGET, meteredEnv, overBudget, startMeter } from './expression-meter';

export { EXPRESSION_BUDGET } from './expression-meter';

/** Longest accepted expression; with the request size limits this bounds evaluation cost. */
export const MAX_EXPRESSION_LENGTH = 1024;
/** Most comprehensions (all, exists, exists_one, map, filter) in one expression. */
export const MAX_COMPREHENSIONS = 2;
/**
 * Deepest nesting of comprehensions, one inside another's body: the work of nested ones is the
 * product of their lists' sizes (100 × 100 items at most under the request limits).
 */
export const MAX_COMPREHENSION_DEPTH = 2;

/** A compiled CEL expression: evaluates to true, false, or an error message. */
export type CompiledExpression = (bindings: Record<string, unknown>) => boolean | string;

const compiled = new Map<string, CompiledExpression>();

/** Why an expression cannot be accepted, or undefined when it compiles. */
export function expressionProblem(source: string): string | undefined {
  if (source.length > MAX_EXPRESSION_LENGTH) return `is longer than ${MAX_EXPRESSION_LENGTH} characters`;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(source);
  } catch (error) {
    return `is not valid CEL: ${error instanceof Error ? error.message : String(error)}`;
  }
  // Counted on the parsed expression, where the macros have become comprehensions: counting
  // `.exists(` in the text missed `list . exists (`.
  const shape = shapeOf(parsed.expr);
  if (shape.comprehensions > MAX_COMPREHENSIONS) {
    return `uses more than ${MAX_COMPREHENSIONS} comprehensions (all, exists, exists_one, map, filter)`;
  }
  if (shape.depth > MAX_COMPREHENSION_DEPTH) {
    return `nests comprehensions more than ${MAX_COMPREHENSION_DEPTH} deep`;
  }
  return undefined;
}

/**
 * Compiles a CEL expression once (cached by its text) over `subject`, `resource`, `action` and
 * `context`. A runtime error (a missing field, a type mismatch) is reported, never thrown; so is
 * an evaluation that spends more than EXPRESSION_BUDGET, which fails closed (never true).
 */
export function compileExpression(source: string): CompiledExpression {
  let program = compiled.get(source);
  if (!program) {
    const parsed = parse(source);
    meterLoops(parsed.expr);
    const evaluate = plan(meteredEnv, parsed);
    program = (bindings) => {
      startMeter();
      // Every CEL error (a missing field, 1 / 0) is a JavaScript Error; capturing its stack costs
      // tens of µs, thousands of times in a loop, and only its message is ever read.
      const stackTraceLimit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      let result: ReturnType<typeof evaluate>;
      try {
        result = evaluate(bindings as Parameters<typeof evaluate>[0]);
      } finally {
        Error.stackTraceLimit = stackTraceLimit;
      }
      // Checked first: over the budget, the loops were cut short and any answer is unfounded.
      if (overBudget()) return `exceeds the evaluation budget of ${EXPRESSION_BUDGET} steps`;
      if (isCelError(result)) return result.message;
      return result === true
        ? true
        : result === false
          ? false
          : `evaluates to ${typeof result}, not a boolean`;
    };
    compiled.set(source, program);
  }
  return program;
}
