/**
 * The features of the device risk contract (`zt.device-risk.v1`), in the order the forest reads
 * them. The same list, in the same order, is what device intelligence sends
 * (apps/device-intelligence/src/scoring/model-features.ts).
 */
export const FEATURE_NAMES = [
  'managed',
  'disk_encrypted',
  'edr_running',
  'jailbroken',
  'untrusted_network',
  'patch_age_days',
  'failed_logins_24h',
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];

/** One device's posture as numbers: flags are 0 or 1, the rest are counts. */
export type DeviceFeatures = Record<FeatureName, number>;

/** The values a feature may take. */
export interface FeatureDomain {
  min: number;
  max: number;
  /** A yes/no fact: only 0 and 1 are allowed. */
  flag: boolean;
}

/**
 * What each feature may be. The forest needs the domains too: split points are drawn over them,
 * so a value the healthy fleet never shows still isolates (see isolation-forest.ts).
 */
export const FEATURE_DOMAINS: Record<FeatureName, FeatureDomain> = {
  managed: { min: 0, max: 1, flag: true },
  disk_encrypted: { min: 0, max: 1, flag: true },
  edr_running: { min: 0, max: 1, flag: true },
  jailbroken: { min: 0, max: 1, flag: true },
  untrusted_network: { min: 0, max: 1, flag: true },
  patch_age_days: { min: 0, max: 3650, flag: false },
  failed_logins_24h: { min: 0, max: 100_000, flag: false },
};

/** A valid scoring request; the contract's informative members are dropped. */
export interface ScoreRequest {
  device_id: string;
  features: DeviceFeatures;
}

/** One invalid member of a request: its RFC 6901 JSON pointer and what is wrong with it. */
export interface FieldError {
  pointer: string;
  message: string;
}

/** The outcome of {@link parseScoreRequest}. */
export type ParsedScoreRequest = { ok: true; request: ScoreRequest } | { ok: false; errors: FieldError[] };

const KNOWN_FEATURES = new Set<string>(FEATURE_NAMES);

/** The features as a vector in {@link FEATURE_NAMES} order. */
export function toVector(features: DeviceFeatures): number[] {
  return FEATURE_NAMES.map((name) => features[name]);
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** RFC 6901: `~` and `/` inside a member name must be escaped in a pointer. */
function pointerTo(...names: string[]): string {
  return names.map((name) => `/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function featureError(name: FeatureName, value: unknown): string | undefined {
  const { min, max, flag } = FEATURE_DOMAINS[name];
  if (value === undefined) return 'is required';
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'must be a finite number';
  if (flag && value !== 0 && value !== 1) return 'must be 0 or 1';
  if (value < min || value > max) return `must be between ${min} and ${max}`;
  return undefined;
}

/**
 * Checks a scoring request: a device id and all seven features, each a finite number in its
 * domain. `signals`, `observed_at` and `contract` are allowed and ignored. Unknown features are
 * refused rather than ignored: a model that silently drops an input hides a contract mismatch.
 */
export function parseScoreRequest(body: unknown): ParsedScoreRequest {
  const root = asObject(body);
  if (!root) return { ok: false, errors: [{ pointer: '', message: 'must be a JSON object' }] };
  const errors: FieldError[] = [];
  const deviceId = root.device_id;
  if (typeof deviceId !== 'string' || deviceId.length < 1 || deviceId.length > 256) {
    errors.push({ pointer: '/device_id', message: 'must be a string of 1 to 256 characters' });
  }
  const features = asObject(root.features);
  if (!features) {
    errors.push({ pointer: '/features', message: 'is required and must be an object' });
    return { ok: false, errors };
  }
  for (const name of FEATURE_NAMES) {
    const message = featureError(name, features[name]);
    if (message) errors.push({ pointer: pointerTo('features', name), message });
  }
  for (const name of Object.keys(features)) {
    if (!KNOWN_FEATURES.has(name)) {
      errors.push({ pointer: pointerTo('features', name), message: 'is not a feature of the contract' });
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  // Every member was checked above; copying keeps only the contract's features.
  const valid = Object.fromEntries(FEATURE_NAMES.map((name) => [name, features[name]])) as DeviceFeatures;
  return { ok: true, request: { device_id: deviceId as string, features: valid } };
}
