import type { DeviceFeatures } from './features';
import type { Random } from './random';

function chance(random: Random, p: number): number {
  return random() < p ? 1 : 0;
}

/** Exponentially distributed with the given mean (inverse transform sampling). */
function exponential(random: Random, mean: number): number {
  return -mean * Math.log(1 - random());
}

/** Poisson-distributed counts (Knuth's method; fine for small means). */
function poisson(random: Random, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = random(); p > limit; p *= random()) k++;
  return k;
}

/**
 * A healthy fleet as an IT department would describe it: nearly all devices managed, encrypted
 * and running EDR, almost none jailbroken, some on networks we do not run, patched within
 * about a week, with the odd mistyped password.
 */
export function healthyFleet(size: number, random: Random): DeviceFeatures[] {
  return Array.from({ length: size }, () => ({
    managed: chance(random, 0.97),
    disk_encrypted: chance(random, 0.98),
    edr_running: chance(random, 0.96),
    jailbroken: chance(random, 0.002),
    untrusted_network: chance(random, 0.15),
    patch_age_days: Math.min(120, Math.round(exponential(random, 7))),
    failed_logins_24h: poisson(random, 0.5),
  }));
}
