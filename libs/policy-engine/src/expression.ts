import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';

/** Longest accepted expression; with the request size limits this bounds evaluation cost. */
export const MAX_EXPRESSION_LENGTH = 1024;
/** Most comprehension macros (all, exists, exists_one, map, filter) in one expression. */
export const MAX_COMPREHENSIONS = 2;

const env = celEnv();

/** A compiled CEL expression: evaluates to true, false, or an error message. */
export type CompiledExpression = (bindings: Record<string, unknown>) => boolean | string;

const compiled = new Map<string, CompiledExpression>();

/** Why an expression cannot be accepted, or undefined when it compiles. */
export function expressionProblem(source: string): string | undefined {
  if (source.length > MAX_EXPRESSION_LENGTH) return `is longer than ${MAX_EXPRESSION_LENGTH} characters`;
  const comprehensions = source.match(/\.(all|exists_one|exists|map|filter)\s*\(/g)?.length ?? 0;
  if (comprehensions > MAX_COMPREHENSIONS) return `uses more than ${MAX_COMPREHENSIONS} comprehensions`;
  try {
    parse(source);
    return undefined;
  } catch (error) {
    return `is not valid CEL: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/**
 * Compiles a CEL expression once (cached by its text) over `subject`, `resource`, `action` and
 * `context`. A runtime error (a missing field, a type mismatch) is reported, never thrown.
 */
export function compileExpression(source: string): CompiledExpression {
  let program = compiled.get(source);
  if (!program) {
    const evaluate = plan(env, parse(source));
    program = (bindings) => {
      const result = evaluate(bindings as Parameters<typeof evaluate>[0]);
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
