import fc from 'fast-check';
import type { DirectoryPrincipal, DirectoryResource } from '@zt/contracts';
import { SearchDirectory } from './authzen-search.directory';

const ROLES = ['a', 'b', 'c'];
const IDS = Array.from({ length: 12 }, (_, i) => `p${i}`);

const principal = (
  id: string,
  roles: string[],
  type: DirectoryPrincipal['type'] = 'user',
): DirectoryPrincipal => ({
  id,
  type,
  roles,
  groups: roles.map((r) => `g-${r}`),
  attributes: {},
});

/** What the directory must answer: computed from scratch. */
function expected(principals: Map<string, DirectoryPrincipal>, role: string): string[] {
  return [...principals.values()]
    .filter((p) => p.roles.includes(role))
    .map((p) => p.id)
    .sort();
}

describe('SearchDirectory', () => {
  it('lists subjects by type, role and group, and resources by type, sorted', () => {
    const principals = new Map([
      ['zed', principal('zed', ['a'])],
      ['amy', principal('amy', ['a', 'b'], 'service')],
    ]);
    const resources = new Map<string, DirectoryResource>([
      ['resource:doc/2', { type: 'doc', id: '2', properties: {} }],
      ['resource:doc/10', { type: 'doc', id: '10', properties: {} }],
      ['resource:img/1', { type: 'img', id: '1', properties: {} }],
    ]);
    const directory = new SearchDirectory(principals, resources);
    expect(directory.subjectsWithRole('a', 1)).toEqual(['amy', 'zed']);
    expect(directory.subjectsInGroup('g-b', 1)).toEqual(['amy']);
    expect(directory.subjectsOfType('user', 1)).toEqual(['zed']);
    expect(directory.resourcesOfType('doc', 1)).toEqual(['10', '2']);
    expect(directory.subjectsWithRole('nobody', 1)).toEqual([]);
  });

  it('keeps up with any sequence of writes and deletes, revision by revision (property)', () => {
    const step = fc.record({
      id: fc.constantFrom(...IDS),
      roles: fc.option(fc.subarray(ROLES), { nil: undefined }),
      asks: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const principals = new Map<string, DirectoryPrincipal>();
        const directory = new SearchDirectory(principals, new Map());
        let revision = 0;
        for (const { id, roles, asks } of steps) {
          revision++;
          // A change replaces the entry's object, as the replica does.
          if (roles === undefined) principals.delete(id);
          else principals.set(id, principal(id, roles));
          if (!asks) continue;
          for (const role of ROLES)
            expect(directory.subjectsWithRole(role, revision)).toEqual(expected(principals, role));
          expect(directory.subjectsOfType('user', revision)).toEqual([...principals.keys()].sort());
        }
      }),
    );
  });

  it('rebuilds from scratch when much of the directory changed, with the same answers', () => {
    const principals = new Map<string, DirectoryPrincipal>();
    const id = (i: number) => `u${String(i).padStart(3, '0')}`;
    for (let i = 0; i < 200; i++) principals.set(id(i), principal(id(i), [ROLES[i % 3]]));
    const directory = new SearchDirectory(principals, new Map());
    expect(directory.subjectsWithRole('a', 1)).toEqual(expected(principals, 'a'));
    for (let i = 0; i < 150; i++) principals.set(id(i), principal(id(i), [ROLES[(i + 1) % 3]]));
    for (let i = 150; i < 180; i++) principals.delete(id(i));
    for (const role of ROLES) expect(directory.subjectsWithRole(role, 2)).toEqual(expected(principals, role));
    principals.delete(id(0));
    expect(directory.subjectsWithRole('b', 3)).toEqual(expected(principals, 'b'));
  });
});
