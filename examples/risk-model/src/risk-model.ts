import { DeviceFeatures, FEATURES, toVector } from './features';
import { healthyFleet } from './fleet-baseline';
import { FeatureDomain, IsolationForest } from './isolation-forest';
import { seededRandom } from './random';

/** What the model answers for one device. */
export interface RiskAnswer {
  score: number;
  model: string;
  version: string;
  explanation: string[];
}

/** Training settings; the defaults are what `npm run risk-model` uses. */
export interface RiskModelOptions {
  seed: number;
  fleetSize: number;
  trees: number;
  sampleSize: number;
  maxDepth: number;
}

const DEFAULTS: RiskModelOptions = { seed: 42, fleetSize: 2000, trees: 100, sampleSize: 256, maxDepth: 12 };

// Counts spread over orders of magnitude; the forest sees log(1 + x) so that 0 vs 40 failed logins
// weighs more than 50 000 vs 100 000.
const COUNT_FEATURES = new Set(['patch_age_days', 'failed_logins_24h']);

function transform(features: DeviceFeatures): number[] {
  return toVector(features).map((value, i) =>
    COUNT_FEATURES.has(FEATURES[i].name) ? Math.log1p(value) : value,
  );
}

const DOMAINS: FeatureDomain[] = FEATURES.map((f) =>
  COUNT_FEATURES.has(f.name) ? { min: 0, max: Math.log1p(f.max) } : { min: f.min, max: f.max },
);

/** The riskiest device the contract can describe; anchors the top of the calibration. */
const WORST: DeviceFeatures = {
  managed: 0,
  disk_encrypted: 0,
  edr_running: 0,
  jailbroken: 1,
  untrusted_network: 1,
  patch_age_days: 3650,
  failed_logins_24h: 100_000,
};

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** "Good" values of each flag: the ones a healthy device shows. */
const HEALTHY_FLAG: Partial<Record<string, number>> = {
  managed: 1,
  disk_encrypted: 1,
  edr_running: 1,
  jailbroken: 0,
  untrusted_network: 0,
};

/**
 * A reference device risk model: an isolation forest trained at start on a generated healthy
 * fleet, with a calibrated score.
 *
 * Calibration: a raw isolation score is not a probability, and its scale depends on the data.
 * We score the training fleet itself and take its 99th percentile q99, and score the worst
 * device the contract allows (sWorst). A logistic maps q99 to 0.5 and sWorst to 0.99:
 * score = 1 / (1 + exp(-(s - q99) / k)) with k = (sWorst - q99) / ln(99). So 99 % of healthy
 * devices score below 0.5, and the further a device is from the fleet the closer it gets to 1.
 */
export class RiskModel {
  readonly trainedOn: number;
  private readonly forest: IsolationForest;
  private readonly q99: number;
  private readonly spread: number;
  private readonly ranges: { high: number }[];

  constructor(options: Partial<RiskModelOptions> = {}) {
    const o = { ...DEFAULTS, ...options };
    const random = seededRandom(o.seed);
    const fleet = healthyFleet(o.fleetSize, random);
    const vectors = fleet.map(transform);
    this.forest = IsolationForest.train(vectors, DOMAINS, {
      trees: o.trees,
      sampleSize: o.sampleSize,
      maxDepth: o.maxDepth,
      random,
    });
    const raw = vectors.map((v) => this.forest.rawScore(v)).sort((a, b) => a - b);
    this.q99 = percentile(raw, 0.99);
    this.spread = Math.max(1e-6, (this.forest.rawScore(transform(WORST)) - this.q99) / Math.log(99));
    this.ranges = FEATURES.map((f) => {
      const values = fleet.map((d) => d[f.name]).sort((a, b) => a - b);
      return { high: percentile(values, 0.99) };
    });
    this.trainedOn = fleet.length;
  }

  /** Scores one device: a calibrated score in [0, 1] and what sets it apart from the fleet. */
  score(features: DeviceFeatures): RiskAnswer {
    const raw = this.forest.rawScore(transform(features));
    const score = 1 / (1 + Math.exp(-(raw - this.q99) / this.spread));
    return {
      score: Math.round(score * 10_000) / 10_000,
      model: 'isolation-forest',
      version: '1',
      explanation: this.explain(features),
    };
  }

  /** Flags that differ from a healthy device's, and counts beyond the fleet's 99th percentile, in words. */
  private explain(features: DeviceFeatures): string[] {
    return FEATURES.flatMap((f, i) => {
      const value = features[f.name];
      const healthy = HEALTHY_FLAG[f.name];
      if (healthy !== undefined)
        return value === healthy ? [] : [`${f.name} = ${value}, fleet baseline ${healthy}`];
      const { high } = this.ranges[i];
      return value > high ? [`${f.name} = ${value}, fleet 99th percentile ${high}`] : [];
    });
  }
}
