/**
 * The plain arrays the policy index keeps its entries in (lookups iterate them directly), with
 * removal that does not scan a large one: with 100,000 policies one action or subject bucket can
 * hold nearly all of them, and every change removes its policy from its buckets before adding it
 * back. An array past {@link INDEXED_FROM} entries gets a side map from entry to position; removal
 * moves the last entry into the freed slot, so an array's order is not kept (the index promises
 * none). Each entry is in an array at most once.
 */

/** Below this length a scan is cheaper than keeping a map up to date. */
const INDEXED_FROM = 64;

const positions = new WeakMap<readonly unknown[], Map<unknown, number>>();

/** Appends an entry that is not in the array yet. */
export function bucketAdd<T>(bucket: T[], entry: T): void {
  bucket.push(entry);
  const at = positions.get(bucket);
  if (at) at.set(entry, bucket.length - 1);
  else if (bucket.length > INDEXED_FROM) positions.set(bucket, new Map(bucket.map((e, i) => [e, i])));
}

/** Removes an entry; false when it is not there. */
export function bucketRemove<T>(bucket: T[], entry: T): boolean {
  const at = positions.get(bucket);
  const index = at ? (at.get(entry) ?? -1) : bucket.indexOf(entry);
  if (index < 0) return false;
  const last = bucket.pop() as T;
  at?.delete(entry);
  if (index < bucket.length) {
    bucket[index] = last;
    at?.set(last, index);
  }
  return true;
}
