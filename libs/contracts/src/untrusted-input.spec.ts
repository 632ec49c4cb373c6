import { INPUT_LIMITS, inputProblems, textProblem, unsafeTextProblem } from './untrusted-input';

describe('untrusted input', () => {
  it('refuses NUL and other C0 controls but keeps tab, line feed and carriage return', () => {
    expect(unsafeTextProblem('a\u0000b')).toBe('contains the control character U+0000 at offset 1');
    expect(unsafeTextProblem('\u001b[31m')).toMatch(/U\+001B/);
    expect(unsafeTextProblem('line\tone\r\nline two')).toBeUndefined();
  });

  it('refuses lone surrogates and accepts paired ones', () => {
    expect(unsafeTextProblem('x\udc00')).toBe('contains a lone surrogate U+DC00 at offset 1');
    expect(unsafeTextProblem('\ud83d')).toMatch(/U\+D83D/);
    expect(unsafeTextProblem('ok \ud83d\ude00 ok')).toBeUndefined();
  });

  it('bounds the length of a text', () => {
    expect(textProblem('abcd', 3)).toBe('is longer than 3 characters');
    expect(textProblem('abc', 3)).toBeUndefined();
  });

  it('names the pointer of each bad field, member names included', () => {
    expect(
      inputProblems({ subject: { id: 'a\u0000' }, list: [1, 'b\udc00'], 'we/ird~': { 'k\u0000': 1 } }),
    ).toEqual([
      { pointer: '/subject/id', detail: 'contains the control character U+0000 at offset 1' },
      { pointer: '/list/1', detail: 'contains a lone surrogate U+DC00 at offset 1' },
      {
        pointer: '/we~1ird~0/k\u0000',
        detail: 'member name contains the control character U+0000 at offset 1',
      },
    ]);
  });

  it('refuses non-finite numbers', () => {
    expect(inputProblems({ n: Infinity, m: -Infinity, o: NaN, p: 1e308 }, '/context')).toEqual([
      { pointer: '/context/n', detail: 'is not a finite number' },
      { pointer: '/context/m', detail: 'is not a finite number' },
      { pointer: '/context/o', detail: 'is not a finite number' },
    ]);
  });

  it('refuses a document nested 10,000 levels deep without overflowing the stack', () => {
    const deep = JSON.parse('['.repeat(10_000) + ']'.repeat(10_000)) as unknown;
    const problems = inputProblems({ context: deep });
    expect(problems).toHaveLength(1);
    expect(problems[0].detail).toBe(`is nested deeper than ${INPUT_LIMITS.maxDepth} levels`);
    expect(problems[0].pointer.startsWith('/context/0/0')).toBe(true);
  });

  it('accepts a document exactly at the depth limit', () => {
    let doc: unknown = 'leaf';
    for (let i = 0; i < INPUT_LIMITS.maxDepth; i++) doc = [doc];
    expect(inputProblems(doc)).toEqual([]);
    expect(inputProblems([doc])).toHaveLength(1);
  });

  it('bounds array items, object members and the number of values', () => {
    const limits = { ...INPUT_LIMITS, maxArrayItems: 2, maxObjectMembers: 2, maxValues: 5 };
    expect(inputProblems({ a: [1, 2, 3] }, '', limits)).toEqual([
      { pointer: '/a', detail: 'has more than 2 items' },
    ]);
    expect(inputProblems({ a: { x: 1, y: 2, z: 3 } }, '', limits)).toEqual([
      { pointer: '/a', detail: 'has more than 2 members' },
    ]);
    expect(
      inputProblems(
        [
          [1, 2],
          [3, 4],
        ],
        '',
        limits,
      ),
    ).toEqual([{ pointer: '', detail: 'holds more than 5 values' }]);
  });

  it('lists at most ten problems', () => {
    expect(inputProblems(Array.from({ length: 50 }, () => '\u0000'))).toHaveLength(10);
  });
});
