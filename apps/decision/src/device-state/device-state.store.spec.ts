import type { AppConfig } from '@zt/config';
import type { DeviceRiskData } from '@zt/contracts';
import { DeviceStateStore } from './device-state.store';

const DAY = 86_400;

function store(): DeviceStateStore {
  return new DeviceStateStore({ DEVICE_STATE_TTL_SECONDS: DAY } as AppConfig);
}

function risk(observedAt: string, restricted: boolean, at = observedAt): DeviceRiskData {
  return {
    deviceId: 'd1',
    score: 0.9,
    threshold: 0.7,
    restricted,
    model: 'm',
    explanation: [],
    observedAt,
    at,
  };
}

describe('DeviceStateStore', () => {
  it('is not loaded until told, so an unknown device is not taken for a harmless one', () => {
    const devices = store();
    expect(devices.loaded).toBe(false);
    devices.markLoaded();
    expect(devices.loaded).toBe(true);
  });

  it('keeps the newer posture whatever the order of arrival', () => {
    const devices = store();
    devices.putPosture({ deviceId: 'd1', signals: { managed: true }, observedAt: '2026-12-02T10:00:00Z' });
    devices.putPosture({ deviceId: 'd1', signals: { managed: false }, observedAt: '2026-12-02T09:00:00Z' });
    expect(devices.get('d1', Date.parse('2026-12-02T10:00:01Z'))?.posture?.signals).toEqual({
      managed: true,
    });
  });

  it('keeps the newer verdict by observation, then by scoring time', () => {
    const devices = store();
    devices.putRisk(risk('2026-12-02T10:00:00Z', true, '2026-12-02T10:00:05Z'));
    devices.putRisk(risk('2026-12-02T10:00:00Z', false, '2026-12-02T10:00:01Z'));
    expect(devices.get('d1')?.risk?.restricted).toBe(true);
    devices.putRisk(risk('2026-12-02T10:00:00Z', false, '2026-12-02T10:00:06Z'));
    expect(devices.get('d1')?.risk?.restricted).toBe(false);
  });

  it('stops vouching for a posture past its shelf life but keeps a restriction for good', () => {
    const devices = store();
    devices.putPosture({ deviceId: 'd1', signals: { managed: true }, observedAt: '2026-12-01T00:00:00Z' });
    devices.putRisk(risk('2026-12-01T00:00:00Z', true));
    const later = Date.parse('2026-12-09T00:00:00Z');
    expect(devices.get('d1', later)).toEqual({ risk: risk('2026-12-01T00:00:00Z', true) });
    devices.putPosture({ deviceId: 'd2', signals: {}, observedAt: '2026-12-01T00:00:00Z' });
    expect(devices.get('d2', later)).toBeUndefined();
  });
});
