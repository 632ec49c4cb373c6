/**
 * Finds the entries whose literal prefix starts a resource id, in a few hash lookups however many
 * entries there are. Resource ids are hierarchical (`bigquery.dataset.sales`,
 * `arn:aws:s3:::bucket/key`, `https://api/v1/payments`), so prefixes are stored in a tree of
 * segments, each segment ending with a separator (`bigquery.`, `dataset.`); whatever follows
 * the last separator of a prefix (its tail, `sal` of `bigquery.dataset.sal`) is kept at the node
 * of its segments. A lookup walks the id's segments from the root and, at each node it reaches,
 * collects the entries without a tail and those whose tail starts the id's next segment.
 *
 * Compared with one map keyed by prefix, probed once per distinct prefix length (what this
 * replaced), a lookup costs one probe per segment of the id the tree actually has, plus one per
 * distinct tail length at the nodes it passes: with 100,000 policies on `svc<n>.*`, two probes
 * instead of twelve, each in a small map or one large one.
 */

/** A resource id character that ends a segment. */
function isSeparator(code: number): boolean {
  return code === 46 /* . */ || code === 47 /* / */ || code === 58; /* : */
}

/** Index of the first separator at or after `from`, or -1. */
function nextSeparator(text: string, from: number): number {
  for (let i = from; i < text.length; i++) if (isSeparator(text.charCodeAt(i))) return i;
  return -1;
}

class PrefixNode<T> {
  /** Entries whose prefix ends exactly at this node (no tail). */
  here: T[] | undefined;
  /** Entries by their tail (text after this node, without separators). */
  tails: Map<string, T[]> | undefined;
  /** Distinct tail lengths, ascending, with how many tails have each. */
  tailLengths: number[] = [];
  private tailLengthCounts: Map<number, number> | undefined;
  /** Child nodes by segment, the separator included. */
  children: Map<string, PrefixNode<T>> | undefined;

  get isEmpty(): boolean {
    return this.here === undefined && this.tails === undefined && this.children === undefined;
  }

  add(tail: string, entry: T): void {
    if (tail === '') {
      (this.here ??= []).push(entry);
      return;
    }
    this.tails ??= new Map();
    const bucket = this.tails.get(tail);
    if (bucket) {
      bucket.push(entry);
      return;
    }
    this.tails.set(tail, [entry]);
    this.countTailLength(tail.length, 1);
  }

  /** Removes one entry; whether it was there. */
  remove(tail: string, entry: T): boolean {
    if (tail === '') {
      if (!this.here || !removeFrom(this.here, entry)) return false;
      if (this.here.length === 0) this.here = undefined;
      return true;
    }
    const bucket = this.tails?.get(tail);
    if (!bucket || !removeFrom(bucket, entry)) return false;
    if (bucket.length === 0) {
      this.tails?.delete(tail);
      this.countTailLength(tail.length, -1);
      if (this.tails?.size === 0) this.tails = undefined;
    }
    return true;
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

function removeFrom<T>(list: T[], entry: T): boolean {
  const at = list.indexOf(entry);
  if (at < 0) return false;
  list.splice(at, 1);
  return true;
}

/** A prefix split into its separator-terminated segments and the tail after the last one. */
function split(prefix: string): { segments: string[]; tail: string } {
  const segments: string[] = [];
  let start = 0;
  for (let end = nextSeparator(prefix, 0); end !== -1; end = nextSeparator(prefix, start)) {
    segments.push(prefix.slice(start, end + 1));
    start = end + 1;
  }
  return { segments, tail: prefix.slice(start) };
}

/** Entries keyed by a literal prefix of resource ids; see the module comment. */
export class ResourcePrefixTree<T> {
  private readonly root = new PrefixNode<T>();

  /** Adds an entry under a literal prefix (the empty prefix starts every id). */
  add(prefix: string, entry: T): void {
    const { segments, tail } = split(prefix);
    let node = this.root;
    for (const segment of segments) {
      node.children ??= new Map();
      let child = node.children.get(segment);
      if (!child) {
        child = new PrefixNode<T>();
        node.children.set(segment, child);
      }
      node = child;
    }
    node.add(tail, entry);
  }

  /** Removes an entry added under this prefix; nodes left empty are removed too. */
  remove(prefix: string, entry: T): void {
    const { segments, tail } = split(prefix);
    const path: PrefixNode<T>[] = [this.root];
    for (const segment of segments) {
      const child = path[path.length - 1].children?.get(segment);
      if (!child) return;
      path.push(child);
    }
    if (!path[path.length - 1].remove(tail, entry)) return;
    for (let depth = segments.length; depth > 0; depth--) {
      const node = path[depth];
      if (!node.isEmpty) break;
      const parent = path[depth - 1];
      parent.children?.delete(segments[depth - 1]);
      if (parent.children?.size === 0) parent.children = undefined;
    }
  }

  /** The buckets of every entry whose prefix starts `id` (each bucket once). */
  lookup(id: string): T[][] {
    const found: T[][] = [];
    let node: PrefixNode<T> | undefined = this.root;
    let start = 0;
    while (node) {
      if (node.here) found.push(node.here);
      const end = nextSeparator(id, start);
      if (node.tails) {
        const segmentEnd = end === -1 ? id.length : end;
        for (const length of node.tailLengths) {
          if (start + length > segmentEnd) break;
          const bucket = node.tails.get(id.slice(start, start + length));
          if (bucket) found.push(bucket);
        }
      }
      if (end === -1 || !node.children) break;
      node = node.children.get(id.slice(start, end + 1));
      start = end + 1;
    }
    return found;
  }
}
