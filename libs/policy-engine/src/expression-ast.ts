import type { parse } from '@bufbuild/cel';

/** A node of a parsed CEL expression (the cel.expr.Expr message that `parse` returns). */
export type CelExpr = ReturnType<typeof parse>['expr'];
type Comprehension = Extract<CelExpr['exprKind'], { case: 'comprehensionExpr' }>['value'];

/** The function every rewritten loop condition calls: `__zt_step__(condition, weight)`. */
export const STEP_FUNCTION = '__zt_step__';

/** The direct children of a node, with whether each is the body of a comprehension (run per item). */
function children(expr: CelExpr): { child: CelExpr; body: boolean }[] {
  const out: { child: CelExpr; body: boolean }[] = [];
  const add = (child: CelExpr | undefined, body = false) => {
    if (child) out.push({ child, body });
  };
  switch (expr.exprKind.case) {
    case 'selectExpr':
      add(expr.exprKind.value.operand);
      break;
    case 'callExpr':
      add(expr.exprKind.value.target);
      expr.exprKind.value.args.forEach((a) => add(a));
      break;
    case 'listExpr':
      expr.exprKind.value.elements.forEach((e) => add(e));
      break;
    case 'structExpr':
      for (const entry of expr.exprKind.value.entries) {
        if (entry.keyKind.case === 'mapKey') add(entry.keyKind.value);
        add(entry.value);
      }
      break;
    case 'comprehensionExpr': {
      const c = expr.exprKind.value;
      add(c.iterRange);
      add(c.accuInit);
      add(c.loopCondition, true);
      add(c.loopStep, true);
      add(c.result);
      break;
    }
    case 'constExpr':
    case 'identExpr':
    case undefined:
      break;
  }
  return out;
}

/** What bounds an expression's cost: its comprehensions, how deeply they nest, its size in nodes. */
export interface ExpressionShape {
  comprehensions: number;
  /** Comprehensions inside the body of another count one level deeper; a range or result does not. */
  depth: number;
  nodes: number;
}

/** Counts comprehensions, their nesting and the nodes of a parsed expression, iteratively. */
export function shapeOf(root: CelExpr): ExpressionShape {
  const shape: ExpressionShape = { comprehensions: 0, depth: 0, nodes: 0 };
  const stack: { expr: CelExpr; depth: number }[] = [{ expr: root, depth: 0 }];
  while (stack.length > 0) {
    const { expr, depth } = stack.pop() as { expr: CelExpr; depth: number };
    shape.nodes++;
    const loop = expr.exprKind.case === 'comprehensionExpr';
    if (loop) {
      shape.comprehensions++;
      shape.depth = Math.max(shape.depth, depth + 1);
    }
    for (const { child, body } of children(expr)) {
      stack.push({ expr: child, depth: loop && body ? depth + 1 : depth });
    }
  }
  return shape;
}

/**
 * Units a field read (`context.x`) costs: @bufbuild/cel resolves it as a qualified attribute,
 * some twenty times the work of another node. And units one item of a comprehension costs before
 * its condition and step: binding the item and the accumulator. Both measured (bench/worst-case)
 * so that a unit is about the same time whatever an expression does.
 */
const SELECT_UNITS = 20;
const ITEM_UNITS = 14;

/** The work one item of a comprehension costs: binding it, then its condition and step. */
function stepWeight(c: Comprehension): number {
  let units = ITEM_UNITS;
  const stack = [c.loopCondition, c.loopStep].filter((e): e is CelExpr => e !== undefined);
  while (stack.length > 0) {
    const expr = stack.pop() as CelExpr;
    units += expr.exprKind.case === 'selectExpr' ? SELECT_UNITS : 1;
    stack.push(...children(expr).map(({ child }) => child));
  }
  return units;
}

/**
 * Rewrites, in place, each comprehension's loop condition `c` to `__zt_step__(c, w)`, `w` the
 * work one item costs: @bufbuild/cel has no cost limit or hook, but it checks the loop
 * condition before every item, so the step function can charge the item to the evaluation's
 * budget and end every loop (by answering false) once the budget is spent.
 */
export function meterLoops(root: CelExpr): void {
  let nextId = 1n << 40n; // above any id the parser gives a 1 KiB expression
  const node = (exprKind: CelExpr['exprKind']): CelExpr => ({
    $typeName: 'cel.expr.Expr',
    id: nextId++,
    exprKind,
  });
  const stack = [root];
  while (stack.length > 0) {
    const expr = stack.pop() as CelExpr;
    stack.push(...children(expr).map(({ child }) => child));
    if (expr.exprKind.case !== 'comprehensionExpr') continue;
    const c = expr.exprKind.value;
    if (!c.loopCondition) continue;
    const weight = node({
      case: 'constExpr',
      value: {
        $typeName: 'cel.expr.Constant',
        constantKind: { case: 'int64Value', value: BigInt(stepWeight(c)) },
      },
    });
    c.loopCondition = node({
      case: 'callExpr',
      value: { $typeName: 'cel.expr.Expr.Call', function: STEP_FUNCTION, args: [c.loopCondition, weight] },
    });
  }
}
