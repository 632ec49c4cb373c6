import { INSTANT } from './common';

/** A device id, as `POST /device-intelligence/posture` accepts it: no whitespace, no slash. */
export const DEVICE_ID_SCHEMA = { type: 'string', pattern: '^[^\\s/]{1,256}$' } as const;

/**
 * Posture signals as an agent or MDM reports them, every one optional. The one schema for the
 * HTTP intake and the bus.
 */
export const POSTURE_SIGNALS_SCHEMA = {
  type: 'object',
  maxProperties: 50,
  properties: {
    managed: { type: 'boolean' },
    disk_encrypted: { type: 'boolean' },
    os_name: { type: 'string', maxLength: 64 },
    os_version: { type: 'string', maxLength: 64 },
    edr_running: { type: 'boolean' },
    patch_age_days: { type: 'integer', minimum: 0, maximum: 3650 },
    jailbroken: { type: 'boolean' },
    network_type: { enum: ['corporate', 'home', 'public', 'cellular', 'vpn', 'unknown'] },
    country: { type: 'string', pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' },
    failed_logins_24h: { type: 'integer', minimum: 0, maximum: 100_000 },
    compliant: { type: 'boolean', description: 'An MDM’s own compliance verdict.' },
  },
  // Vendor signals pass through to the model, but only as bounded scalars.
  additionalProperties: {
    anyOf: [{ type: 'boolean' }, { type: 'number' }, { type: 'string', maxLength: 256 }],
  },
  propertyNames: { pattern: '^[a-z][a-z0-9_]{0,63}$' },
} as const;

/**
 * `data` of `com.zt.device.posture` on `zt.device.posture` (key: the device id): one report as
 * the HTTP intake takes it, with `observed_at` always set (the intake fills in its receipt time).
 * `observed_at` may not be more than 5 minutes ahead of the reader's clock.
 */
export const DEVICE_POSTURE_SCHEMA = {
  type: 'object',
  title: 'DevicePostureEventData',
  additionalProperties: false,
  required: ['device_id', 'signals', 'observed_at'],
  properties: {
    device_id: DEVICE_ID_SCHEMA,
    signals: POSTURE_SIGNALS_SCHEMA,
    observed_at: { ...INSTANT, description: 'When the agent observed the signals.' },
  },
} as const;

/**
 * The camelCase posture data published before this release. `zt.device.posture` is compacted, so
 * a device that has not reported since still has its last report in this form: consumers accept
 * it for one release (see docs/events.md), under the same bounds and rules.
 */
export const LEGACY_DEVICE_POSTURE_SCHEMA = {
  type: 'object',
  title: 'LegacyDevicePostureData',
  additionalProperties: false,
  required: ['deviceId', 'signals', 'observedAt'],
  properties: {
    deviceId: DEVICE_ID_SCHEMA,
    signals: POSTURE_SIGNALS_SCHEMA,
    observedAt: INSTANT,
  },
} as const;

/** `data` of `com.zt.device.risk` on `zt.device.risk` (key: the device id): the risk verdict. */
export const DEVICE_RISK_SCHEMA = {
  type: 'object',
  title: 'DeviceRiskData',
  additionalProperties: false,
  required: ['deviceId', 'score', 'model', 'threshold', 'restricted', 'explanation', 'observedAt', 'at'],
  properties: {
    deviceId: DEVICE_ID_SCHEMA,
    score: {
      description: 'The model’s score, 0 (trusted) to 1; null when the model could not answer.',
      oneOf: [{ type: 'number', minimum: 0, maximum: 1 }, { type: 'null' }],
    },
    // Loose bounds: a verdict the decision service refused would leave a restriction unapplied.
    model: { type: 'string', maxLength: 1024, description: 'Model name and version.' },
    threshold: { type: 'number', minimum: 0, maximum: 1 },
    restricted: { type: 'boolean', description: 'True when access from this device must be restricted.' },
    failure: { type: 'string', maxLength: 64, description: 'Why the score is not the model’s fresh answer.' },
    explanation: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 65_536 } },
    observedAt: { ...INSTANT, description: 'When the scored posture was observed.' },
    at: { ...INSTANT, description: 'When it was scored.' },
  },
} as const;
