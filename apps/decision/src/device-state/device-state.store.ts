import { Inject, Injectable } from '@nestjs/common';
import { Cache } from '@zt/cache';
import { APP_CONFIG, AppConfig } from '@zt/config';
import type { DevicePostureData, DeviceRiskData } from '@zt/contracts';
import type { DeviceState } from './device-facts';

function parse<T>(text: string | undefined): T | undefined {
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

/**
 * The latest posture and risk verdict per device, in the cache (Redis when distributed, so every
 * decision replica sees the same state; memory when standalone). Posture and risk live under
 * separate keys because they arrive on separate topics and may be written by different
 * replicas at once; each write keeps the newer observation.
 */
@Injectable()
export class DeviceStateStore {
  constructor(
    @Inject(Cache) private readonly cache: Cache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async get(deviceId: string): Promise<DeviceState | undefined> {
    const [posture, risk] = await Promise.all([
      this.cache.get(this.key(deviceId, 'posture')),
      this.cache.get(this.key(deviceId, 'risk')),
    ]);
    if (posture === undefined && risk === undefined) return undefined;
    return { posture: parse<DevicePostureData>(posture), risk: parse<DeviceRiskData>(risk) };
  }

  async putPosture(posture: DevicePostureData): Promise<void> {
    const key = this.key(posture.deviceId, 'posture');
    const stored = parse<DevicePostureData>(await this.cache.get(key));
    if (stored && Date.parse(stored.observedAt) > Date.parse(posture.observedAt)) return;
    await this.cache.set(key, JSON.stringify(posture), this.config.DEVICE_STATE_TTL_SECONDS);
  }

  async putRisk(risk: DeviceRiskData): Promise<void> {
    const key = this.key(risk.deviceId, 'risk');
    const stored = parse<DeviceRiskData>(await this.cache.get(key));
    if (
      stored &&
      (stored.observedAt > risk.observedAt || (stored.observedAt === risk.observedAt && stored.at > risk.at))
    ) {
      return;
    }
    await this.cache.set(key, JSON.stringify(risk), this.config.DEVICE_STATE_TTL_SECONDS);
  }

  private key(deviceId: string, part: 'posture' | 'risk'): string {
    return `device:${part}:${deviceId}`;
  }
}
