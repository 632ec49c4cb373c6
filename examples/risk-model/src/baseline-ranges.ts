import { DeviceFeatures, FEATURE_NAMES, FeatureName } from './features';
import { percentile } from './percentile';

interface Range {
  low: number;
  high: number;
}

/**
 * The healthy fleet's 1st to 99th percentile range of each feature, and what of a device falls
 * outside it. This is the explanation the model returns: the forest's score says HOW unusual a
 * device is, the ranges say IN WHAT, in the units an administrator reads (days, sign-ins), which
 * the forest's log-scaled inputs are not.
 *
 * A flag is outside only when its value is rarer than 1 % of the fleet: with 3 % of healthy devices
 * unmanaged, `managed = 0` alone is unusual enough to raise the score a little but is not named.
 */
export class BaselineRanges {
  private constructor(private readonly ranges: Record<FeatureName, Range>) {}

  /** The ranges of a fleet. */
  static of(fleet: readonly DeviceFeatures[]): BaselineRanges {
    if (fleet.length === 0) throw new Error('a baseline needs at least one device');
    const entries = FEATURE_NAMES.map((name) => {
      const values = fleet.map((device) => device[name]).sort((a, b) => a - b);
      return [name, { low: percentile(values, 0.01), high: percentile(values, 0.99) }] as const;
    });
    return new BaselineRanges(Object.fromEntries(entries) as Record<FeatureName, Range>);
  }

  /** The features of a device outside the fleet's range, one sentence each, in contract order. */
  outside(features: DeviceFeatures): string[] {
    return FEATURE_NAMES.flatMap((name) => {
      const value = features[name];
      const { low, high } = this.ranges[name];
      if (value >= low && value <= high) return [];
      if (low === high) return [`${name} = ${value}, fleet baseline ${low}`];
      return value > high
        ? [`${name} = ${value}, fleet 99th percentile ${high}`]
        : [`${name} = ${value}, fleet 1st percentile ${low}`];
    });
  }
}
