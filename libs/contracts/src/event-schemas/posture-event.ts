import type { DevicePostureData, DeviceSignals } from '../payloads';

/** `data` of a `com.zt.device.posture` event as published since the snake_case change. */
export interface DevicePostureEventData {
  device_id: string;
  signals: DeviceSignals;
  /** When the agent observed the signals (ISO 8601). */
  observed_at: string;
}

/** The camelCase posture data published before it, still read for one release. */
type LegacyDevicePostureData = DevicePostureData;

/** The bus form of a posture report (snake_case, as the HTTP body). */
export function postureEventData(posture: DevicePostureData): DevicePostureEventData {
  return { device_id: posture.deviceId, signals: posture.signals, observed_at: posture.observedAt };
}

/**
 * A posture report read from the bus, in either form (validated first: see `eventValidator`),
 * as the services hold it.
 */
export function postureFromEvent(data: DevicePostureEventData | LegacyDevicePostureData): DevicePostureData {
  if ('device_id' in data) {
    return { deviceId: data.device_id, signals: data.signals, observedAt: data.observed_at };
  }
  return { deviceId: data.deviceId, signals: data.signals, observedAt: data.observedAt };
}
