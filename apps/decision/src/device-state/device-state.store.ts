import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@zt/config';
import type { DevicePostureData, DeviceRiskData } from '@zt/contracts';
import type { DeviceState } from './device-facts';

function newerRisk(stored: DeviceRiskData | undefined, risk: DeviceRiskData): boolean {
  if (!stored) return true;
  return (
    stored.observedAt < risk.observedAt || (stored.observedAt === risk.observedAt && stored.at <= risk.at)
  );
}

/**
 * The latest posture and risk verdict of every device, in this replica's memory. It is rebuilt
 * from the compacted device topics (or device intelligence's store, standalone) at every start,
 * so no cache can lose it: a Redis restart, eviction or outage never lifts a restriction.
 *
 * Posture is a fact with a shelf life: one older than DEVICE_STATE_TTL_SECONDS is no longer
 * vouched for. A restriction has none: it holds until a newer verdict lifts it.
 */
@Injectable()
export class DeviceStateStore {
  private readonly devices = new Map<string, DeviceState>();
  private complete = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * Whether the store holds every device's state (its sources were read to the end). Until then
   * a device it does not know may be one that is restricted.
   */
  get loaded(): boolean {
    return this.complete;
  }

  /** How many devices the store knows. */
  get size(): number {
    return this.devices.size;
  }

  markLoaded(): void {
    this.complete = true;
  }

  get(deviceId: string, now = Date.now()): DeviceState | undefined {
    const state = this.devices.get(deviceId);
    if (!state) return undefined;
    const { posture, risk } = state;
    const fresh =
      posture !== undefined &&
      now - Date.parse(posture.observedAt) <= this.config.DEVICE_STATE_TTL_SECONDS * 1000;
    if (fresh || posture === undefined) return state;
    return risk === undefined ? undefined : { risk };
  }

  /** Keeps the newer of the stored and the given posture. */
  putPosture(posture: DevicePostureData): void {
    const state = this.devices.get(posture.deviceId);
    const stored = state?.posture;
    if (stored && Date.parse(stored.observedAt) > Date.parse(posture.observedAt)) return;
    this.devices.set(posture.deviceId, { ...state, posture });
  }

  /** Keeps the newer of the stored and the given verdict (by observation, then by scoring time). */
  putRisk(risk: DeviceRiskData): void {
    const state = this.devices.get(risk.deviceId);
    if (!newerRisk(state?.risk, risk)) return;
    this.devices.set(risk.deviceId, { ...state, risk });
  }
}
