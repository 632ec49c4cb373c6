import type { Random } from './random';

/** The range a feature may take; split points are drawn from it. */
export interface FeatureDomain {
  min: number;
  max: number;
}

type Tree =
  { leaf: true; size: number } | { leaf: false; feature: number; split: number; left: Tree; right: Tree };

const EULER_GAMMA = 0.5772156649;

/** Average path length of an unsuccessful search in a binary search tree of n points (Liu et al.). */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

/** Options of {@link IsolationForest.train}. */
export interface ForestOptions {
  trees: number;
  sampleSize: number;
  /** How deep a tree grows; a point not isolated by then is credited c(size) more. */
  maxDepth: number;
  random: Random;
}

/**
 * An isolation forest (Liu, Ting and Zhou, 2008): anomalies are few and different, so random
 * splits isolate them in fewer steps than normal points; s(x) = 2^(-E[h(x)] / c(sampleSize)).
 *
 * One change to the original: a split point is drawn over the node's part of each feature's
 * whole DOMAIN, not over the range of the node's sample. The original cannot split on a feature
 * that is constant in the sample, so a device that differs only in something the healthy fleet
 * never shows (jailbroken = 1 against a baseline of 0) would look normal. Drawing over the domain
 * puts such a point in an empty cell at the first split on that feature.
 */
export class IsolationForest {
  private constructor(
    private readonly trees: Tree[],
    private readonly sampleSize: number,
  ) {}

  static train(
    samples: readonly number[][],
    domains: readonly FeatureDomain[],
    options: ForestOptions,
  ): IsolationForest {
    const size = Math.min(options.sampleSize, samples.length);
    const trees = Array.from({ length: options.trees }, () => {
      const sample = subsample(samples, size, options.random);
      return grow(
        sample,
        domains.map((d) => ({ ...d })),
        0,
        options,
      );
    });
    return new IsolationForest(trees, size);
  }

  /** The anomaly score s(x) in (0, 1): near 1 is anomalous, well under 0.5 is normal. */
  rawScore(x: readonly number[]): number {
    const mean = this.trees.reduce((sum, tree) => sum + pathLength(tree, x, 0), 0) / this.trees.length;
    return 2 ** (-mean / averagePathLength(this.sampleSize));
  }
}

function subsample(samples: readonly number[][], size: number, random: Random): number[][] {
  // Partial Fisher-Yates over indices: a sample without replacement.
  const indices = samples.map((_, i) => i);
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (indices.length - i));
    [indices[i], indices[j]] = [indices[j], indices[i]];
  }
  return indices.slice(0, size).map((i) => samples[i]);
}

function grow(sample: number[][], box: FeatureDomain[], depth: number, options: ForestOptions): Tree {
  if (sample.length <= 1 || depth >= options.maxDepth) return { leaf: true, size: sample.length };
  const feature = Math.floor(options.random() * box.length);
  const { min, max } = box[feature];
  const split = min + options.random() * (max - min);
  const left = sample.filter((x) => x[feature] < split);
  const right = sample.filter((x) => x[feature] >= split);
  const leftBox = box.map((d, i) => (i === feature ? { min, max: split } : d));
  const rightBox = box.map((d, i) => (i === feature ? { min: split, max } : d));
  return {
    leaf: false,
    feature,
    split,
    left: grow(left, leftBox, depth + 1, options),
    right: grow(right, rightBox, depth + 1, options),
  };
}

function pathLength(tree: Tree, x: readonly number[], depth: number): number {
  if (tree.leaf) return depth + averagePathLength(tree.size);
  return pathLength(x[tree.feature] < tree.split ? tree.left : tree.right, x, depth + 1);
}
