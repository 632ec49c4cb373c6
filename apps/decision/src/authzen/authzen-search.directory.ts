import type { DirectoryPrincipal, DirectoryResource } from '@zt/contracts';

const EMPTY: readonly string[] = Object.freeze([]);

/** The first index of a sorted array whose id is not below `id` (code-unit order, as `<`). */
function lowerBound(ids: readonly string[], id: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid] < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Sorted id lists by key (a type, a role, a group), kept sorted as entries come and go: a change
 * costs a binary search and a move of the list's tail, not a sort.
 */
class SortedLists {
  private readonly lists = new Map<string, string[]>();

  get(key: string): readonly string[] {
    return this.lists.get(key) ?? EMPTY;
  }

  add(key: string, id: string): void {
    const list = this.lists.get(key);
    if (!list) {
      this.lists.set(key, [id]);
      return;
    }
    const at = lowerBound(list, id);
    if (list[at] !== id) list.splice(at, 0, id);
  }

  remove(key: string, id: string): void {
    const list = this.lists.get(key);
    if (!list) return;
    const at = lowerBound(list, id);
    if (list[at] !== id) return;
    list.splice(at, 1);
    if (list.length === 0) this.lists.delete(key);
  }

  /** Fills from scratch: appended unsorted, then each list sorted once. */
  rebuild(entries: Iterable<[string, string]>): void {
    this.lists.clear();
    for (const [key, id] of entries) {
      const list = this.lists.get(key);
      if (list) list.push(id);
      else this.lists.set(key, [id]);
    }
    for (const list of this.lists.values()) list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

/**
 * One directory (principals or resources) as sorted lists of ids by key, brought up to date with
 * the replica's map when a search asks at a new revision. The replica replaces an entry's object
 * on every change, so the entries that changed are those whose object is not the one last seen:
 * one pass over the map finds them (a few milliseconds at 100,000 entries; a policy change
 * changes none), and each is moved in its lists. Past a tenth of the directory, everything is
 * rebuilt and sorted once instead.
 */
class IndexedDirectory<T> {
  readonly lists = new SortedLists();
  private readonly seen = new Map<string, T>();
  private builtAt = -1;

  constructor(
    private readonly source: ReadonlyMap<string, T>,
    private readonly keysOf: (entry: T) => string[],
    private readonly idOf: (entry: T, key: string) => string,
  ) {}

  at(revision: number): SortedLists {
    if (this.builtAt === revision) return this.lists;
    this.builtAt = revision;
    const changed: [string, T | undefined, T | undefined][] = [];
    const limit = Math.max(64, this.source.size / 10);
    let kept = 0;
    for (const [key, entry] of this.source) {
      const before = this.seen.get(key);
      if (before === entry) kept++;
      else if (changed.push([key, before, entry]) > limit) return this.rebuild();
    }
    // Entries seen but no longer in the map were deleted; only looked for when some are missing.
    if (kept + changed.filter(([, before]) => before !== undefined).length < this.seen.size) {
      for (const [key, before] of this.seen)
        if (!this.source.has(key)) changed.push([key, before, undefined]);
      if (changed.length > limit) return this.rebuild();
    }
    for (const [key, before, after] of changed) {
      if (before !== undefined)
        for (const k of this.keysOf(before)) this.lists.remove(k, this.idOf(before, key));
      if (after !== undefined) {
        for (const k of this.keysOf(after)) this.lists.add(k, this.idOf(after, key));
        this.seen.set(key, after);
      } else {
        this.seen.delete(key);
      }
    }
    return this.lists;
  }

  private rebuild(): SortedLists {
    const lists = this.lists;
    const keysOf = this.keysOf;
    const idOf = this.idOf;
    function* pairs(source: ReadonlyMap<string, T>): Iterable<[string, string]> {
      for (const [key, entry] of source) for (const k of keysOf(entry)) yield [k, idOf(entry, key)];
    }
    lists.rebuild(pairs(this.source));
    this.seen.clear();
    for (const [key, entry] of this.source) this.seen.set(key, entry);
    return lists;
  }
}

// Keys of one map, so a type, a role and a group of the same name never share a list.
const principalKeys = (p: DirectoryPrincipal): string[] => [
  `type:${p.type}`,
  ...p.roles.map((r) => `role:${r}`),
  ...p.groups.map((g) => `group:${g}`),
];

/**
 * The directories as a search walks them: ids sorted (so a page resumes after the last id it
 * saw), subjects by type, role and group, resources by type; kept up to date with the replica's
 * maps at the revision each search asks at (see IndexedDirectory).
 */
export class SearchDirectory {
  private readonly principals: IndexedDirectory<DirectoryPrincipal>;
  private readonly resources: IndexedDirectory<DirectoryResource>;

  constructor(
    principals: ReadonlyMap<string, DirectoryPrincipal>,
    resources: ReadonlyMap<string, DirectoryResource>,
  ) {
    // Keyed by principal id.
    this.principals = new IndexedDirectory(principals, principalKeys, (_, key) => key);
    this.resources = new IndexedDirectory(
      resources,
      (r) => [r.type],
      (r) => r.id,
    );
  }

  /** Subject ids of a type, sorted. */
  subjectsOfType(type: string, revision: number): readonly string[] {
    return this.principals.at(revision).get(`type:${type}`);
  }

  /** Subject ids holding a role, sorted. */
  subjectsWithRole(role: string, revision: number): readonly string[] {
    return this.principals.at(revision).get(`role:${role}`);
  }

  /** Subject ids in a group, sorted. */
  subjectsInGroup(group: string, revision: number): readonly string[] {
    return this.principals.at(revision).get(`group:${group}`);
  }

  /** Resource ids of a type, sorted. */
  resourcesOfType(type: string, revision: number): readonly string[] {
    return this.resources.at(revision).get(type);
  }
}
