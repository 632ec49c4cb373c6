import type { Random } from './random';

/** The interval a split on one feature is drawn from. */
export interface SplitRange {
  min: number;
  max: number;
}

/** Options of {@link IsolationForest.train}. */
export interface ForestOptions {
  trees: number;
  /** Points per tree (ψ in the paper); 256 is the paper's default. */
  sampleSize: number;
  random: Random;
  /**
   * The range of each feature that splits are drawn over. Defaults to the training data's range.
   * Pass the features' whole domains so that values the data never shows still isolate.
   */
  domains?: readonly SplitRange[];
  /** Height limit; defaults to the paper's ceil(log2(sampleSize)), the average height of a random tree. */
  maxDepth?: number;
}

type Tree =
  { leaf: true; size: number } | { leaf: false; feature: number; split: number; left: Tree; right: Tree };

const EULER_GAMMA = 0.5772156649;

/**
 * c(n): the average path length of an unsuccessful search in a binary search tree of n points.
 * It normalises path lengths, and it stands in for the subtree a leaf of n points was not grown into.
 */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/**
 * An isolation forest (Liu, Ting and Zhou, 2008): anomalies are few and different, so random
 * axis-parallel splits isolate them in fewer steps than normal points.
 *
 * One change to the paper: a split is drawn over the node's CELL (the feature's domain narrowed by
 * the splits above), not over the range of the node's sample. The paper cannot split on a feature
 * that is constant in the sample, so a device that differs only in something the healthy fleet
 * never shows (jailbroken = 1 against a fleet of 0) would look normal. Splitting the cell puts
 * such a point in an empty cell at the first split on that feature.
 */
export class IsolationForest {
  private constructor(
    private readonly trees: readonly Tree[],
    private readonly sampleSize: number,
  ) {}

  /** Grows `options.trees` trees, each on its own sample drawn without replacement. */
  static train(samples: readonly (readonly number[])[], options: ForestOptions): IsolationForest {
    if (samples.length === 0) throw new Error('an isolation forest needs at least one sample');
    const sampleSize = Math.min(options.sampleSize, samples.length);
    const maxDepth = options.maxDepth ?? Math.ceil(Math.log2(Math.max(2, sampleSize)));
    const domains = options.domains ?? dataRanges(samples);
    const trees = Array.from({ length: options.trees }, () =>
      grow(subsample(samples, sampleSize, options.random), domains, 0, maxDepth, options.random),
    );
    return new IsolationForest(trees, sampleSize);
  }

  /**
   * The paper's anomaly score s(x) = 2^(-E[h(x)] / c(ψ)) in (0, 1]: close to 1 is anomalous,
   * well under 0.5 is normal, about 0.5 everywhere means the data has no distinct anomalies.
   */
  rawScore(x: readonly number[]): number {
    const total = this.trees.reduce((sum, tree) => sum + pathLength(tree, x), 0);
    return 2 ** (-(total / this.trees.length) / averagePathLength(this.sampleSize));
  }
}

function dataRanges(samples: readonly (readonly number[])[]): SplitRange[] {
  // Folded, not Math.min(...values): spreading a large sample overflows the call stack.
  return samples[0].map((_, feature) =>
    samples.reduce(
      (range, x) => ({ min: Math.min(range.min, x[feature]), max: Math.max(range.max, x[feature]) }),
      { min: Infinity, max: -Infinity },
    ),
  );
}

/** A sample without replacement: a partial Fisher-Yates shuffle of the indices. */
function subsample<T>(samples: readonly T[], size: number, random: Random): T[] {
  const indices = samples.map((_, i) => i);
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (indices.length - i));
    [indices[i], indices[j]] = [indices[j], indices[i]];
  }
  return indices.slice(0, size).map((i) => samples[i]);
}

function grow(
  sample: readonly (readonly number[])[],
  cell: readonly SplitRange[],
  depth: number,
  maxDepth: number,
  random: Random,
): Tree {
  if (sample.length <= 1 || depth >= maxDepth) return { leaf: true, size: sample.length };
  const feature = Math.floor(random() * cell.length);
  const { min, max } = cell[feature];
  const split = min + random() * (max - min);
  const narrowed = (range: SplitRange) => cell.map((r, i) => (i === feature ? range : r));
  return {
    leaf: false,
    feature,
    split,
    left: grow(
      sample.filter((x) => x[feature] < split),
      narrowed({ min, max: split }),
      depth + 1,
      maxDepth,
      random,
    ),
    right: grow(
      sample.filter((x) => x[feature] >= split),
      narrowed({ min: split, max }),
      depth + 1,
      maxDepth,
      random,
    ),
  };
}

/** h(x): the edges from the root to x's leaf, plus c(size) for the points the leaf still holds. */
function pathLength(tree: Tree, x: readonly number[]): number {
  let depth = 0;
  let node = tree;
  while (!node.leaf) {
    node = x[node.feature] < node.split ? node.left : node.right;
    depth++;
  }
  return depth + averagePathLength(node.size);
}
