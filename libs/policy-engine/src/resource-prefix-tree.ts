/**
 * Finds the entries whose literal prefix starts a resource id, in a few hash lookups however many
 * entries there are. Resource ids are hierarchical (`bigquery.dataset.sales`,
 * `arn:aws:s3:::bucket/key`, `https://api/v1/payments`), so prefixes are stored in a tree of
 * segments, each segment ending with a separator (`bigquery.`, `dataset.`); whatever follows
 * the last separator of a prefix (its tail, `sal` of `bigquery.dataset.sal`) is a leaf under the
 * node of its segments. Segments end with a separator and tails have none, so both share one map
 * per node. A lookup walks the id's segments from the root and, at each node it reaches,
 * collects the entries ending there and those whose tail starts the id's next segment.
 *
 * A lookup costs one probe per segment of the id the tree actually has, plus one per distinct
 * tail length at the nodes it passes. With 100,000 policies those probes, and every object they
 * lead to, are likely cache misses, so a slot that holds a single entry and nothing below it
 * (most of them: `svc<n>.*` in the benchmark) is the entry itself rather than a node holding an
 * array holding it.
 */

import { bucketAdd, bucketRemove } from './bucket';

/** A resource id character that ends a segment. */
function isSeparator(code: number): boolean {
  return code === 46 /* . */ || code === 47 /* / */ || code === 58; /* : */
}

/** Index of the first separator at or after `from`, or -1. */
function nextSeparator(text: string, from: number): number {
  for (let i = from; i < text.length; i++) if (isSeparator(text.charCodeAt(i))) return i;
  return -1;
}

const isTail = (key: string) => !isSeparator(key.charCodeAt(key.length - 1));

/** What a key of a node leads to: a node, or the one entry of a node that would hold only it. */
type Slot<T> = PrefixNode<T> | T;

class PrefixNode<T> {
  /** Entries whose prefix ends exactly at this node. */
  here: T[] | undefined;
  /** Slots by segment (separator included) or by tail (text after this node, no separator). */
  children: Map<string, Slot<T>> | undefined;
  /** Distinct tail lengths among the keys, ascending. */
  tailLengths: readonly number[] = [];
  private tailLengthCounts: Map<number, number> | undefined;

  get isEmpty(): boolean {
    return this.here === undefined && this.children === undefined;
  }

  /** The single entry this node could be replaced by, if it holds one entry and nothing else. */
  get single(): T | undefined {
    return this.children === undefined && this.here?.length === 1 ? this.here[0] : undefined;
  }

  setChild(key: string, slot: Slot<T>): void {
    this.children ??= new Map();
    if (!this.children.has(key) && isTail(key)) this.countTailLength(key.length, 1);
    this.children.set(key, slot);
  }

  deleteChild(key: string): void {
    if (!this.children?.delete(key)) return;
    if (isTail(key)) this.countTailLength(key.length, -1);
    if (this.children.size === 0) this.children = undefined;
  }

  private countTailLength(length: number, delta: number): void {
    this.tailLengthCounts ??= new Map();
    const count = (this.tailLengthCounts.get(length) ?? 0) + delta;
    if (count > 0) this.tailLengthCounts.set(length, count);
    else this.tailLengthCounts.delete(length);
    this.tailLengths = [...this.tailLengthCounts.keys()].sort((a, b) => a - b);
    if (this.tailLengthCounts.size === 0) this.tailLengthCounts = undefined;
  }
}

/** A prefix as the keys of its path: its separator-terminated segments, then its tail if any. */
function keysOf(prefix: string): string[] {
  const keys: string[] = [];
  let start = 0;
  for (let end = nextSeparator(prefix, 0); end !== -1; end = nextSeparator(prefix, start)) {
    keys.push(prefix.slice(start, end + 1));
    start = end + 1;
  }
  if (start < prefix.length) keys.push(prefix.slice(start));
  return keys;
}

/** Entries keyed by a literal prefix of resource ids; see the module comment. */
export class ResourcePrefixTree<T> {
  private readonly root = new PrefixNode<T>();

  /** Adds an entry under a literal prefix (the empty prefix starts every id). */
  add(prefix: string, entry: T): void {
    const keys = keysOf(prefix);
    let node = this.root;
    for (const key of keys) {
      const slot = node.children?.get(key);
      if (slot instanceof PrefixNode) {
        node = slot;
        continue;
      }
      const child = new PrefixNode<T>();
      if (slot !== undefined) child.here = [slot];
      node.setChild(key, child);
      node = child;
    }
    if (node.here) bucketAdd(node.here, entry);
    else node.here = [entry];
    this.compact(keys);
  }

  /** Removes an entry added under this prefix; nodes left empty are removed too. */
  remove(prefix: string, entry: T): void {
    const keys = keysOf(prefix);
    const path: PrefixNode<T>[] = [this.root];
    for (const [depth, key] of keys.entries()) {
      const slot = path[depth].children?.get(key);
      if (slot === undefined) return;
      if (!(slot instanceof PrefixNode)) {
        // A bare entry stands for a node holding only it, so it can only be at the path's end.
        if (depth < keys.length - 1 || slot !== entry) return;
        path[depth].deleteChild(key);
        this.prune(keys, path, depth);
        return;
      }
      path.push(slot);
    }
    const node = path[keys.length];
    // Many entries can share a prefix (every policy on `*` has the empty one).
    if (!node.here || !bucketRemove(node.here, entry)) return;
    if (node.here.length === 0) node.here = undefined;
    this.prune(keys, path, keys.length);
  }

  /** Removes the empty nodes of a path from `depth` up, then compacts what is left. */
  private prune(keys: string[], path: PrefixNode<T>[], depth: number): void {
    for (let d = depth; d > 0 && path[d].isEmpty; d--) path[d - 1].deleteChild(keys[d - 1]);
    this.compact(keys);
  }

  /** Replaces each node on the prefix's path that holds a single entry by the entry itself. */
  private compact(keys: string[]): void {
    let node = this.root;
    for (const key of keys) {
      const slot = node.children?.get(key);
      if (!(slot instanceof PrefixNode)) return;
      const single = slot.single;
      if (single !== undefined) {
        node.setChild(key, single);
        return;
      }
      node = slot;
    }
  }

  /** The buckets of every entry whose prefix starts `id`. */
  lookup(id: string): T[][] {
    const found: T[][] = [];
    let node = this.root;
    let start = 0;
    for (;;) {
      if (node.here) found.push(node.here);
      const children = node.children;
      if (!children) break;
      const end = nextSeparator(id, start);
      const segmentEnd = end === -1 ? id.length : end;
      for (const length of node.tailLengths) {
        if (start + length > segmentEnd) break;
        const slot = children.get(id.slice(start, start + length));
        if (slot instanceof PrefixNode) found.push(slot.here ?? []);
        else if (slot !== undefined) found.push([slot]);
      }
      if (end === -1) break;
      const next = children.get(id.slice(start, end + 1));
      if (next === undefined) break;
      if (!(next instanceof PrefixNode)) {
        found.push([next]);
        break;
      }
      node = next;
      start = end + 1;
    }
    return found;
  }
}
