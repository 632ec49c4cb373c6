// The slowest decisions a caller can cause under the default limits: adversarial resource ids
// against the wildcards a pattern may hold, the costliest expressions validation accepts over the
// largest request the decision API accepts, and that request and the deepest one on their own.

const ids = (prefix, n = 100) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

/** One plain allow policy: the baseline every case is compared with. */
const PLAIN = {
  id: 'p_plain',
  name: 'plain',
  subjects: ['*'],
  resources: ['docs.*'],
  actions: ['read'],
  effect: 'allow',
};
const SMALL_REQUEST = { subject: { id: 'alice' }, action: 'read', resource: { id: 'docs.plan' } };

/**
 * The largest context a decision request may carry under DECISION_REQUEST_LIMITS: 100 members,
 * 18 of them lists of 100 strings, a 4,096-character string, the rest short strings; 2,000 values
 * in all (the request's own members included) is the limit, and this stays just under it.
 */
function largestContext() {
  const context = {};
  for (let i = 0; i < 18; i++) context[`l${i}`] = ids(`l${i}`);
  // l17 equal to l16: comparing them reads both to the end.
  context.l17 = [...context.l16];
  context.s = 'a'.repeat(4096);
  for (let i = 0; context && Object.keys(context).length < 100; i++) context[`k${i}`] = `v${i}`;
  return context;
}
const LARGEST_REQUEST = { ...SMALL_REQUEST, context: largestContext() };

/** The deepest request: nesting at the limit (8 levels), each level as wide as allowed. */
function deepestContext() {
  let level = { leaf: 'x'.repeat(4096) };
  // request (1) > context (2) > d1 (3) ... d6 (8).
  for (let d = 6; d >= 1; d--)
    level = { [`d${d}`]: level, ...Object.fromEntries(ids(`w${d}`, 30).map((k) => [k, k])) };
  return level;
}
const DEEPEST_REQUEST = { ...SMALL_REQUEST, context: deepestContext() };

const many = (term, n) => Array.from({ length: n }, (_, i) => term(i)).join(' || ');

/**
 * Expressions that cost the most per item, each with two nested comprehensions (the most
 * validation accepts) over 100-item lists, cut off when the evaluation budget is spent (their
 * worst case); and membership over two such lists, which the budget holds to the end.
 */
const EXPRESSIONS = {
  'membership, x in list': 'context.l0.exists(x, x in context.l1)',
  'nested exists, x == y': 'context.l0.exists(x, context.l1.exists(y, x == y))',
  'nested all, in over a list': 'context.l0.all(x, context.l1.all(y, x != y || x in context.l2))',
  'nested, deep list equality': 'context.l0.exists(x, context.l1.exists(y, context.l16 != context.l17))',
  'nested, size() of 4 KiB': 'context.l0.exists(x, context.l1.exists(y, size(context.s) == 1))',
  'nested, matches() on 4 KiB': 'context.l0.exists(x, context.l1.exists(y, context.s.matches("a+b")))',
  'nested, failing int()': 'context.l0.exists(x, context.l1.exists(y, int(context.s) == 1))',
  'nested, missing field (errors)': 'context.l0.exists(x, context.l1.exists(y, context.nothing == y))',
  'nested, division by zero': 'context.l0.exists(x, context.l1.exists(y, 1 / 0 == 1))',
  'nested map': 'context.l0.exists(x, context.l1.map(y, y).size() == 0)',
  'nested, many context reads': `context.l0.exists(x, context.l1.exists(y, ${many((i) => `context.k${i} == y`, 40)}))`,
  'nested, string building':
    'context.l0.exists(x, context.l1.exists(y, context.s + x + context.s + y == context.s))',
};

/** Resource patterns with the most wildcards allowed (8) or the longest segments, against 512-character ids. */
const GLOBS = {
  '*a*a*a*a*a*a*a*b, id a×512': ['*a*a*a*a*a*a*a*b', 'a'.repeat(512)],
  '*a*a*a*a?a?a?a?b, id a×512': ['*a*a*a*a?a?a?a?b', 'a'.repeat(512)],
  '*(a×250)?b*c, id a×512': [`*${'a'.repeat(250)}?b*c`, 'a'.repeat(512)],
  '?*(a×120)?*(a×120)?*b?, id a×512': [`?*${'a'.repeat(120)}?*${'a'.repeat(120)}?*b?`, 'a'.repeat(512)],
};

module.exports = { PLAIN, SMALL_REQUEST, LARGEST_REQUEST, DEEPEST_REQUEST, EXPRESSIONS, GLOBS };
