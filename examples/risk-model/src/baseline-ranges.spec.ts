import { BaselineRanges } from './baseline-ranges';
import type { DeviceFeatures } from './features';

const TYPICAL: DeviceFeatures = {
  managed: 1,
  disk_encrypted: 1,
  edr_running: 1,
  jailbroken: 0,
  untrusted_network: 0,
  patch_age_days: 5,
  failed_logins_24h: 0,
};

// 100 devices: patch ages 1..100, 10 on an untrusted network, none jailbroken.
const fleet: DeviceFeatures[] = Array.from({ length: 100 }, (_, i) => ({
  ...TYPICAL,
  patch_age_days: i + 1,
  untrusted_network: i < 10 ? 1 : 0,
}));
const ranges = BaselineRanges.of(fleet);

describe('BaselineRanges', () => {
  it('names nothing for a device inside the fleet', () => {
    expect(ranges.outside(TYPICAL)).toEqual([]);
    expect(ranges.outside({ ...TYPICAL, untrusted_network: 1 })).toEqual([]);
  });

  it('names a flag no device of the fleet shows', () => {
    expect(ranges.outside({ ...TYPICAL, jailbroken: 1 })).toEqual(['jailbroken = 1, fleet baseline 0']);
  });

  it('names counts above the 99th and below the 1st percentile', () => {
    expect(ranges.outside({ ...TYPICAL, patch_age_days: 200, failed_logins_24h: 4 })).toEqual([
      'patch_age_days = 200, fleet 99th percentile 99',
      'failed_logins_24h = 4, fleet baseline 0',
    ]);
    expect(ranges.outside({ ...TYPICAL, patch_age_days: 0 })).toEqual([
      'patch_age_days = 0, fleet 1st percentile 1',
    ]);
  });
});
