import type { DeviceSignals } from '@zt/contracts';

/** The feature vector sent to a risk model, in this order (the model contract, docs/device-intelligence.md). */
export const MODEL_FEATURE_NAMES = [
  'managed',
  'disk_encrypted',
  'edr_running',
  'jailbroken',
  'untrusted_network',
  'patch_age_days',
  'failed_logins_24h',
] as const;

export type ModelFeatures = Record<(typeof MODEL_FEATURE_NAMES)[number], number>;

/** Networks we do not operate: a device on one of them is exposed to whoever runs it. */
const UNTRUSTED_NETWORKS = new Set(['public', 'unknown']);

/** A patch age taken when the agent does not report one: unknown counts as badly out of date. */
const UNKNOWN_PATCH_AGE_DAYS = 365;

function flag(value: boolean | undefined): number {
  return value === true ? 1 : 0;
}

/**
 * Turns an agent's signals into the model's numeric features. Zero trust treats an unknown fact
 * as not satisfied: a missing `managed`, `disk_encrypted` or `edr_running` counts as false, a
 * missing patch age as a year, a missing network as untrusted. `jailbroken` is the exception
 * (missing counts as not jailbroken) because desktop agents cannot report it at all.
 */
export function modelFeatures(signals: DeviceSignals): ModelFeatures {
  return {
    managed: flag(signals.managed),
    disk_encrypted: flag(signals.disk_encrypted),
    edr_running: flag(signals.edr_running),
    jailbroken: flag(signals.jailbroken),
    untrusted_network: UNTRUSTED_NETWORKS.has(signals.network_type ?? 'unknown') ? 1 : 0,
    patch_age_days: signals.patch_age_days ?? UNKNOWN_PATCH_AGE_DAYS,
    failed_logins_24h: signals.failed_logins_24h ?? 0,
  };
}
