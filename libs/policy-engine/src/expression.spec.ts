import { parse } from '@bufbuild/cel';
import { shapeOf } from './expression-ast';
import { compileExpression, EXPRESSION_BUDGET, expressionProblem } from './expression';
import { parsePolicy } from './parse';
import { PolicySet } from './policy-set';

// Lists as long as a decision request may carry (100 items), with nothing in common.
const ids = (prefix: string) => Array.from({ length: 100 }, (_, i) => `${prefix}-${i}`);
const bindings = (context: Record<string, unknown>) => ({
  subject: {},
  resource: {},
  action: 'read',
  context,
});

describe('CEL expression limits', () => {
  it('counts comprehensions on the parsed expression, whatever the spacing', () => {
    // The text count (`.all(`) missed `. all (`: three comprehensions went through.
    expect(
      expressionProblem(
        'context.a . all(x, true) && context.b . exists (y, true) && context.c.map(z, z) == []',
      ),
    ).toMatch(/more than 2 comprehensions/);
    expect(expressionProblem('context.a . all(x, true) && context.b . exists (y, true)')).toBeUndefined();
  });

  it('measures nesting inside comprehension bodies only', () => {
    const depth = (source: string) => shapeOf(parse(source).expr).depth;
    expect(depth('a.exists(x, b.exists(y, c.exists(z, x == y && y == z)))')).toBe(3);
    expect(depth('a.exists(x, b.exists(y, x == y))')).toBe(2);
    // A comprehension over another's result runs after it, not inside it.
    expect(depth('a.map(x, x).exists(y, y == 1)')).toBe(1);
    expect(depth('subject.id == "u"')).toBe(0);
  });

  it('still refuses what is not CEL or too long', () => {
    expect(expressionProblem('subject.id ==')).toMatch(/not valid CEL/);
    expect(expressionProblem(`subject.id == "${'x'.repeat(1100)}"`)).toMatch(/longer than 1024/);
  });
});

describe('CEL evaluation budget', () => {
  it('fails closed, saying why, when an evaluation would exceed the budget', () => {
    // 100 × 100 items, each scanning a list of 100: a million comparisons before the budget.
    const program = compileExpression('context.a.exists(x, context.b.exists(y, x in context.b))');
    expect(program(bindings({ a: ids('a'), b: ids('b') }))).toBe(
      `exceeds the evaluation budget of ${EXPRESSION_BUDGET} steps`,
    );
  });

  it('fails closed on lists larger than requests carry (facts added after validation)', () => {
    const program = compileExpression('context.a.exists(x, context.b.exists(y, x == y))');
    const large = Array.from({ length: 2000 }, (_, i) => i);
    expect(program(bindings({ a: large, b: large.map((i) => -i - 1) }))).toMatch(/evaluation budget/);
  });

  it('never answers true past the budget, even where the cut-short loops would say so', () => {
    // `all` over a loop cut short would be vacuously true.
    const program = compileExpression('context.a.all(x, context.b.all(y, x != y || x in context.b))');
    expect(program(bindings({ a: ids('a'), b: ids('b') }))).toMatch(/evaluation budget/);
  });

  it('fits membership over the largest lists a request may carry, and nested loops over 50 items', () => {
    const membership = compileExpression('context.a.exists(x, x in context.b)');
    expect(membership(bindings({ a: ids('a'), b: ids('b') }))).toBe(false);
    expect(membership(bindings({ a: ids('a'), b: [...ids('b').slice(1), 'a-99'] }))).toBe(true);
    const nested = compileExpression('context.a.exists(x, context.b.exists(y, x == y))');
    expect(nested(bindings({ a: ids('a').slice(0, 50), b: ids('b').slice(0, 50) }))).toBe(false);
  });

  it('charges failing calls of any function, such as 1 / 0', () => {
    // 100 items × 40 divisions by zero: each builds an error; the nodes alone fit the budget.
    const terms = Array.from({ length: 40 }, () => '1 / 0 == 1').join(' || ');
    const program = compileExpression(`context.a.exists(x, ${terms})`);
    expect(program(bindings({ a: ids('a') }))).toMatch(/evaluation budget/);
    expect(compileExpression('1 / 0 == 1')(bindings({}))).toMatch(/divide by zero/);
  });

  it('leaves the process stack trace limit as it was', () => {
    const before = Error.stackTraceLimit;
    compileExpression('context.missing == 1')(bindings({}));
    expect(Error.stackTraceLimit).toBe(before);
  });

  it('meters operators without changing what they answer', () => {
    const program = compileExpression(
      '"a-1" in context.a && context.a + ["z"] != context.a && size(context.s) == 3 && context.s.matches("^x+$") && int("7") == 7',
    );
    expect(program(bindings({ a: ids('a'), s: 'xxx' }))).toBe(true);
    expect(compileExpression('int(context.s) == 1')(bindings({ s: 'x' }))).toMatch(/BigInt/);
  });

  it('charges each evaluation on its own', () => {
    const program = compileExpression('context.a.exists(x, x in context.b)');
    for (let i = 0; i < 3; i++) expect(program(bindings({ a: ids('a'), b: ids('b') }))).toBe(false);
  });
});

describe('a policy whose expression exceeds the budget', () => {
  it('does not apply, with the reason in its failed condition, as a runtime error would', () => {
    const parsed = parsePolicy({
      id: 'p_costly',
      name: 'costly',
      subjects: ['*'],
      resources: ['docs.*'],
      actions: ['read'],
      effect: 'allow',
      conditions: { expression: 'context.a.all(x, context.b.all(y, x != y || x in context.b))' },
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const set = new PolicySet();
    set.upsert(parsed.policy);
    const result = set.evaluate({
      subject: { id: 'u' },
      action: 'read',
      resource: { id: 'docs.a' },
      context: { a: ids('a'), b: ids('b') },
    });
    expect(result.decision).toBe('deny');
    const failed = result.candidates.find((c) => c.id === 'p_costly')?.failed;
    expect(failed?.condition).toBe('expression');
    expect(result.reasons.join('\n')).toContain(
      `exceeds the evaluation budget of ${EXPRESSION_BUDGET} steps`,
    );
  });
});
