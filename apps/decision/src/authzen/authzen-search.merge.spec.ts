import fc from 'fast-check';
import { prefixRun, SortedRun, SortedUnion, wholeRun } from './authzen-search.merge';

const drain = (union: SortedUnion): string[] => {
  const out: string[] = [];
  for (let id = union.next(); id !== undefined; id = union.next()) out.push(id);
  return out;
};

describe('SortedUnion', () => {
  it('merges sorted runs into one sorted list without repeats', () => {
    const union = new SortedUnion([wholeRun(['a', 'c', 'e']), wholeRun(['b', 'c', 'd']), wholeRun([])]);
    expect(drain(union)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('resumes strictly after a cursor, even one no run holds', () => {
    const runs = [wholeRun(['a', 'c', 'e']), wholeRun(['b', 'd'])];
    expect(drain(new SortedUnion(runs, 'c'))).toEqual(['d', 'e']);
    expect(drain(new SortedUnion(runs, 'bb'))).toEqual(['c', 'd', 'e']);
    expect(drain(new SortedUnion(runs, 'e'))).toEqual([]);
  });

  it('says whether more follows without taking it', () => {
    const union = new SortedUnion([wholeRun(['a', 'b']), wholeRun(['b'])]);
    expect(union.next()).toBe('a');
    expect(union.more).toBe(true);
    expect(union.next()).toBe('b');
    expect(union.more).toBe(false);
  });

  it('equals sorting the union of the runs, from any cursor (property)', () => {
    const ids = fc.uniqueArray(fc.string({ maxLength: 4 }), { maxLength: 30 }).map((a) => a.sort());
    fc.assert(
      fc.property(fc.array(ids, { maxLength: 6 }), fc.option(fc.string({ maxLength: 4 })), (lists, after) => {
        const expected = [...new Set(lists.flat())].sort().filter((id) => after === null || id > after);
        expect(drain(new SortedUnion(lists.map(wholeRun), after ?? undefined))).toEqual(expected);
      }),
    );
  });
});

describe('prefixRun', () => {
  const slice = (run: SortedRun) => run.ids.slice(run.from, run.to);

  it('is the ids that start with the prefix', () => {
    const ids = ['proj-1/a', 'proj-1/b', 'proj-10/a', 'proj-2/a', 'x'];
    expect(slice(prefixRun(ids, 'proj-1/'))).toEqual(['proj-1/a', 'proj-1/b']);
    expect(slice(prefixRun(ids, 'proj-1'))).toEqual(['proj-1/a', 'proj-1/b', 'proj-10/a']);
    expect(slice(prefixRun(ids, ''))).toEqual(ids);
    expect(slice(prefixRun(ids, 'q'))).toEqual([]);
  });

  it('agrees with a filter on any sorted list (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[ab]{0,5}$/), { maxLength: 40 }),
        fc.stringMatching(/^[ab]{0,3}$/),
        (list, prefix) => {
          const ids = list.sort();
          expect(slice(prefixRun(ids, prefix))).toEqual(ids.filter((id) => id.startsWith(prefix)));
        },
      ),
    );
  });
});
