/**
 * The features of the device risk contract (`zt.device-risk.v1`), in the order the forest uses
 * them, with the domain each may take. The domain matters to the forest: split points are drawn
 * over it, so values the healthy fleet never shows still isolate (see isolation-forest.ts).
 */
export const FEATURES = [
  { name: 'managed', min: 0, max: 1 },
  { name: 'disk_encrypted', min: 0, max: 1 },
  { name: 'edr_running', min: 0, max: 1 },
  { name: 'jailbroken', min: 0, max: 1 },
  { name: 'untrusted_network', min: 0, max: 1 },
  { name: 'patch_age_days', min: 0, max: 3650 },
  { name: 'failed_logins_24h', min: 0, max: 100_000 },
] as const;

export type FeatureName = (typeof FEATURES)[number]['name'];
export type DeviceFeatures = Record<FeatureName, number>;

/** A valid scoring request. */
export interface ScoreRequest {
  device_id: string;
  features: DeviceFeatures;
}

/** One invalid field: its JSON pointer and what is wrong. */
export interface FieldError {
  pointer: string;
  message: string;
}

const FLAGS = new Set<string>([
  'managed',
  'disk_encrypted',
  'edr_running',
  'jailbroken',
  'untrusted_network',
]);

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The features as the forest's vector, in {@link FEATURES} order. */
export function toVector(features: DeviceFeatures): number[] {
  return FEATURES.map((f) => features[f.name]);
}

/**
 * Checks a scoring request: a device id and all seven features, each a finite number in its
 * domain (flags 0 or 1). Other top-level members (`contract`, `signals`, `observed_at`) are
 * allowed and ignored; unknown features are refused, since a model silently ignoring an input it
 * was sent hides a contract mismatch.
 */
export function parseScoreRequest(
  body: unknown,
): { ok: true; request: ScoreRequest } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const root = record(body);
  if (!root) return { ok: false, errors: [{ pointer: '', message: 'must be a JSON object' }] };
  const id = root.device_id;
  if (typeof id !== 'string' || id.length < 1 || id.length > 256) {
    errors.push({ pointer: '/device_id', message: 'must be a string of 1 to 256 characters' });
  }
  const features = record(root.features);
  if (!features) {
    errors.push({ pointer: '/features', message: 'must be an object' });
    return { ok: false, errors };
  }
  for (const { name, min, max } of FEATURES) {
    const value = features[name];
    const pointer = `/features/${name}`;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      errors.push({ pointer, message: 'is required and must be a number' });
    } else if (FLAGS.has(name) ? value !== 0 && value !== 1 : value < min || value > max) {
      errors.push({
        pointer,
        message: FLAGS.has(name) ? 'must be 0 or 1' : `must be between ${min} and ${max}`,
      });
    }
  }
  for (const name of Object.keys(features)) {
    if (!FEATURES.some((f) => f.name === name)) {
      errors.push({
        pointer: `/features/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        message: 'is not a feature of the contract',
      });
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, request: { device_id: id as string, features: features as DeviceFeatures } };
}
