import { MODEL_FEATURE_NAMES, modelFeatures } from './model-features';

describe('modelFeatures', () => {
  it('maps reported signals one to one', () => {
    expect(
      modelFeatures({
        managed: true,
        disk_encrypted: true,
        edr_running: false,
        jailbroken: true,
        network_type: 'corporate',
        patch_age_days: 12,
        failed_logins_24h: 3,
      }),
    ).toEqual({
      managed: 1,
      disk_encrypted: 1,
      edr_running: 0,
      jailbroken: 1,
      untrusted_network: 0,
      patch_age_days: 12,
      failed_logins_24h: 3,
    });
  });

  it('treats unknown facts as not satisfied, except jailbreak detection', () => {
    expect(modelFeatures({})).toEqual({
      managed: 0,
      disk_encrypted: 0,
      edr_running: 0,
      jailbroken: 0,
      untrusted_network: 1,
      patch_age_days: 365,
      failed_logins_24h: 0,
    });
  });

  it('marks public networks untrusted and keeps every feature of the contract', () => {
    const features = modelFeatures({ network_type: 'public' });
    expect(features.untrusted_network).toBe(1);
    expect(Object.keys(features)).toEqual([...MODEL_FEATURE_NAMES]);
  });
});
