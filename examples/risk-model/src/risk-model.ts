import { BaselineRanges } from './baseline-ranges';
import { DeviceFeatures, FEATURE_DOMAINS, FEATURE_NAMES, FeatureName, toVector } from './features';
import { healthyFleet } from './fleet-baseline';
import { IsolationForest, SplitRange } from './isolation-forest';
import { percentile } from './percentile';
import { seededRandom } from './random';

/** What the model answers for one device (the body of a 200 from `POST /score`, less `device_id`). */
export interface RiskAnswer {
  /** Calibrated: about 0.5 at the healthy fleet's 99th percentile, towards 1 beyond it. */
  score: number;
  model: 'isolation-forest';
  version: '1';
  explanation: string[];
}

/** Training settings; the defaults are what `npm run risk-model` serves. */
export interface RiskModelOptions {
  seed: number;
  fleetSize: number;
  trees: number;
  sampleSize: number;
}

const DEFAULTS: RiskModelOptions = { seed: 42, fleetSize: 2000, trees: 100, sampleSize: 256 };

/** The raw scores that anchor the calibration; see {@link RiskModel}. */
export interface Calibration {
  /** The healthy fleet's 99th percentile raw score; maps to 0.5. */
  q99: number;
  /** The highest raw score in the healthy fleet; maps to 0.75. */
  max: number;
}

// Counts spread over orders of magnitude; the forest sees log(1 + x), so that 0 against 30 failed
// sign-ins weighs more than 50,000 against 100,000, and the 0..3650 day domain does not swamp the
// fortnight where healthy devices live.
const LOG_SCALED = new Set<FeatureName>(['patch_age_days', 'failed_logins_24h']);

function forestInput(features: DeviceFeatures): number[] {
  return toVector(features).map((value, i) => (LOG_SCALED.has(FEATURE_NAMES[i]) ? Math.log1p(value) : value));
}

const FOREST_DOMAINS: SplitRange[] = FEATURE_NAMES.map((name) => {
  const { min, max } = FEATURE_DOMAINS[name];
  return LOG_SCALED.has(name) ? { min: Math.log1p(min), max: Math.log1p(max) } : { min, max };
});

/** The calibrated score of the fleet's strangest device: a 0.75 threshold lets the whole fleet through. */
const MAX_MAPS_TO = 0.75;
/** A floor for the spread, so a fleet whose top scores tie cannot make the logistic a step. */
const MIN_SPREAD = 0.01;

/**
 * A reference device risk model: an isolation forest trained at start on a generated healthy
 * fleet, answering a calibrated score and the features outside the fleet's range.
 *
 * Calibration. A raw isolation score is not a probability, and where normal points sit depends on
 * the data (here about 0.25). After training, the model scores its own fleet and takes the 99th
 * percentile q99 and the maximum; the spread max - q99 is how far the healthy tail reaches. A
 * logistic maps q99 to 0.5 and the maximum to 0.75:
 *
 *   score = 1 / (1 + exp(-(s - q99) / k)),   k = (max - q99) / ln 3   (logit 0.75 = ln 3)
 *
 * So 99 % of healthy devices score under 0.5 (a typical one around 0.15), a device stranger than
 * any in the fleet scores above 0.75, and every further spread multiplies the odds by 3: a device
 * three spreads beyond q99 scores 27 / 28 = 0.96. Anchoring on the fleet rather than on fixed
 * numbers keeps the meaning when the fleet or the forest's settings change.
 */
export class RiskModel {
  /** How many healthy devices the forest was trained on. */
  readonly trainedOn: number;
  readonly calibration: Calibration;
  private readonly forest: IsolationForest;
  private readonly ranges: BaselineRanges;
  private readonly slope: number;

  constructor(options: Partial<RiskModelOptions> = {}) {
    const { seed, fleetSize, trees, sampleSize } = { ...DEFAULTS, ...options };
    const random = seededRandom(seed);
    const fleet = healthyFleet(fleetSize, random);
    const inputs = fleet.map(forestInput);
    this.forest = IsolationForest.train(inputs, { trees, sampleSize, random, domains: FOREST_DOMAINS });
    const raw = inputs.map((x) => this.forest.rawScore(x)).sort((a, b) => a - b);
    this.calibration = { q99: percentile(raw, 0.99), max: raw[raw.length - 1] };
    const spread = Math.max(MIN_SPREAD, this.calibration.max - this.calibration.q99);
    this.slope = spread / Math.log(MAX_MAPS_TO / (1 - MAX_MAPS_TO));
    this.ranges = BaselineRanges.of(fleet);
    this.trainedOn = fleet.length;
  }

  /** The forest's uncalibrated anomaly score s(x) of a device. */
  rawScore(features: DeviceFeatures): number {
    return this.forest.rawScore(forestInput(features));
  }

  /** Scores one device: a calibrated score in [0, 1] and what sets it apart from the fleet. */
  score(features: DeviceFeatures): RiskAnswer {
    const raw = this.rawScore(features);
    const score = 1 / (1 + Math.exp(-(raw - this.calibration.q99) / this.slope));
    return {
      // Four decimals: more would promise a precision a 100-tree forest does not have.
      score: Math.round(score * 10_000) / 10_000,
      model: 'isolation-forest',
      version: '1',
      explanation: this.ranges.outside(features),
    };
  }
}
