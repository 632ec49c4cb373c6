import { FEATURE_NAMES } from './features';
import { healthyFleet } from './fleet-baseline';
import { seededRandom } from './random';

describe('healthyFleet', () => {
  const fleet = healthyFleet(20_000, seededRandom(5));
  const share = (name: (typeof FEATURE_NAMES)[number]) =>
    fleet.filter((device) => device[name] === 1).length / fleet.length;
  const mean = (name: (typeof FEATURE_NAMES)[number]) =>
    fleet.reduce((sum, device) => sum + device[name], 0) / fleet.length;

  it('has the posture of a healthy fleet', () => {
    expect(share('managed')).toBeCloseTo(0.97, 2);
    expect(share('disk_encrypted')).toBeCloseTo(0.98, 2);
    expect(share('edr_running')).toBeCloseTo(0.96, 2);
    expect(share('jailbroken')).toBeLessThan(0.005);
    expect(share('untrusted_network')).toBeCloseTo(0.15, 2);
  });

  it('patches within about a week and mistypes a password now and then', () => {
    expect(mean('patch_age_days')).toBeGreaterThan(6.5);
    expect(mean('patch_age_days')).toBeLessThan(7.5);
    expect(Math.max(...fleet.map((d) => d.patch_age_days))).toBeLessThanOrEqual(120);
    expect(
      fleet.every((d) => Number.isInteger(d.patch_age_days) && Number.isInteger(d.failed_logins_24h)),
    ).toBe(true);
    expect(mean('failed_logins_24h')).toBeCloseTo(0.5, 1);
  });

  it('is the same fleet for the same seed', () => {
    expect(healthyFleet(50, seededRandom(9))).toEqual(healthyFleet(50, seededRandom(9)));
  });
});
