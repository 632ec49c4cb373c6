import fc from 'fast-check';
import { ResourcePrefixTree } from './resource-prefix-tree';

const found = (tree: ResourcePrefixTree<string>, id: string) => tree.lookup(id).flat().sort();

describe('resource prefix tree', () => {
  it('finds every prefix that starts the id, at segment boundaries and inside segments', () => {
    const tree = new ResourcePrefixTree<string>();
    for (const prefix of ['', 'gitlab.', 'gitlab.re', 'gitlab.repo.a', 'git', 'k8s.', 'arn:aws:s3:::b/']) {
      tree.add(prefix, prefix);
    }
    expect(found(tree, 'gitlab.repo.a')).toEqual(['', 'git', 'gitlab.', 'gitlab.re', 'gitlab.repo.a']);
    expect(found(tree, 'gitlab.release')).toEqual(['', 'git', 'gitlab.', 'gitlab.re']);
    expect(found(tree, 'gitlabx')).toEqual(['', 'git']);
    expect(found(tree, 'arn:aws:s3:::b/key')).toEqual(['', 'arn:aws:s3:::b/']);
    expect(found(tree, 'arn:aws:s3:::c/key')).toEqual(['']);
    expect(found(tree, '')).toEqual(['']);
  });

  it('keeps entries that share a prefix in one bucket and forgets removed ones', () => {
    const tree = new ResourcePrefixTree<string>();
    tree.add('svc1.', 'a');
    tree.add('svc1.', 'b');
    tree.add('svc1.secret', 'c');
    expect(tree.lookup('svc1.secret-data')).toEqual([['a', 'b'], ['c']]);
    tree.remove('svc1.', 'a');
    tree.remove('svc1.secret', 'c');
    tree.remove('svc1.secret', 'not there');
    expect(tree.lookup('svc1.secret-data')).toEqual([['b']]);
    tree.remove('svc1.', 'b');
    expect(tree.lookup('svc1.secret-data')).toEqual([]);
  });

  it('keeps a tail and a segment of the same text apart, and single entries through adds and removes', () => {
    const tree = new ResourcePrefixTree<string>();
    tree.add('svc1.ab', 'tail');
    tree.add('svc1.ab.', 'segment');
    expect(found(tree, 'svc1.ab.x')).toEqual(['segment', 'tail']);
    expect(found(tree, 'svc1.abc')).toEqual(['tail']);
    tree.add('svc1.ab.', 'second');
    tree.add('svc1.ab.x', 'deeper');
    expect(found(tree, 'svc1.ab.x')).toEqual(['deeper', 'second', 'segment', 'tail']);
    tree.remove('svc1.ab.', 'segment');
    tree.remove('svc1.ab.x', 'deeper');
    tree.remove('svc1.ab', 'tail');
    expect(tree.lookup('svc1.ab.x')).toEqual([['second']]);
    tree.remove('svc1.ab.', 'second');
    expect(tree.lookup('svc1.ab.x')).toEqual([]);
  });

  it('answers exactly the entries whose prefix starts the id, after any adds and removes', () => {
    const alphabet = fc.constantFrom('a', 'b', '.', '/', ':');
    const text = fc.array(alphabet, { maxLength: 6 }).map((chars) => chars.join(''));
    const step = fc.record({ add: fc.boolean(), prefix: text, entry: fc.constantFrom('x', 'y', 'z') });
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 30 }),
        fc.array(text, { minLength: 1, maxLength: 5 }),
        (steps, ids) => {
          const tree = new ResourcePrefixTree<string>();
          const model: { prefix: string; entry: string }[] = [];
          for (const { add, prefix, entry } of steps) {
            if (add) {
              tree.add(prefix, entry);
              model.push({ prefix, entry });
            } else {
              const at = model.findIndex((m) => m.prefix === prefix && m.entry === entry);
              tree.remove(prefix, entry);
              if (at >= 0) model.splice(at, 1);
            }
          }
          for (const id of ids) {
            const expected = model.filter((m) => id.startsWith(m.prefix)).map((m) => m.entry);
            expect(found(tree, id)).toEqual(expected.sort());
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
