import { bucketAdd, bucketRemove } from './bucket';

/** A deterministic pseudo-random sequence, so a failure replays. */
function lcg(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('policy index buckets', () => {
  it('removes an entry from a small bucket and says whether it was there', () => {
    const bucket = ['a', 'b', 'c'];
    expect(bucketRemove(bucket, 'b')).toBe(true);
    expect(bucketRemove(bucket, 'b')).toBe(false);
    expect([...bucket].sort()).toEqual(['a', 'c']);
  });

  it('holds the same entries as a set through random adds and removes across the size where it starts indexing', () => {
    const random = lcg(7);
    const bucket: object[] = [];
    const reference = new Set<object>();
    const pool = Array.from({ length: 300 }, (_, i) => ({ i }));
    for (let step = 0; step < 20_000; step++) {
      const entry = pool[Math.floor(random() * pool.length)];
      // Grow for a while, then shrink, then grow again: the bucket crosses the threshold both ways.
      const adding = reference.has(entry) ? false : random() < (step % 6000 < 4000 ? 0.8 : 0.2);
      if (adding) {
        bucketAdd(bucket, entry);
        reference.add(entry);
      } else {
        expect(bucketRemove(bucket, entry)).toBe(reference.delete(entry));
      }
      if (step % 500 === 0) expect(new Set(bucket)).toEqual(reference);
    }
    expect(bucket).toHaveLength(reference.size);
    expect(new Set(bucket)).toEqual(reference);
  });

  it('removes from a large bucket without scanning it', () => {
    const entries = Array.from({ length: 100_000 }, (_, i) => ({ i }));
    const bucket: object[] = [];
    for (const e of entries) bucketAdd(bucket, e);
    const indexOf = jest.spyOn(bucket, 'indexOf');
    for (const e of entries.slice(0, 1000)) expect(bucketRemove(bucket, e)).toBe(true);
    expect(indexOf).not.toHaveBeenCalled();
    expect(bucket).toHaveLength(99_000);
  });
});
