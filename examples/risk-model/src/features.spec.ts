import { DeviceFeatures, FEATURE_NAMES, parseScoreRequest, toVector } from './features';

const features: DeviceFeatures = {
  managed: 1,
  disk_encrypted: 1,
  edr_running: 1,
  jailbroken: 0,
  untrusted_network: 0,
  patch_age_days: 2,
  failed_logins_24h: 0,
};

function pointers(body: unknown): string[] {
  const result = parseScoreRequest(body);
  return result.ok ? [] : result.errors.map((e) => e.pointer);
}

describe('the feature list', () => {
  it('is the contract order device intelligence sends', () => {
    expect(FEATURE_NAMES).toEqual([
      'managed',
      'disk_encrypted',
      'edr_running',
      'jailbroken',
      'untrusted_network',
      'patch_age_days',
      'failed_logins_24h',
    ]);
    expect(toVector({ ...features, patch_age_days: 9, failed_logins_24h: 4 })).toEqual([1, 1, 1, 0, 0, 9, 4]);
  });
});

describe('parseScoreRequest', () => {
  it('accepts the contract and ignores its informative members', () => {
    const result = parseScoreRequest({
      contract: 'zt.device-risk.v1',
      device_id: 'laptop-42',
      features,
      signals: { managed: true },
      observed_at: '2026-11-23T10:00:00.000Z',
    });
    expect(result).toEqual({ ok: true, request: { device_id: 'laptop-42', features } });
  });

  it('accepts the ends of every domain', () => {
    const edges = {
      ...features,
      managed: 0,
      jailbroken: 1,
      patch_age_days: 3650,
      failed_logins_24h: 100_000,
    };
    expect(parseScoreRequest({ device_id: 'd', features: edges }).ok).toBe(true);
  });

  it('names a missing feature by its pointer', () => {
    const { managed: _managed, ...withoutManaged } = features;
    const result = parseScoreRequest({ device_id: 'd', features: withoutManaged });
    expect(result).toEqual({ ok: false, errors: [{ pointer: '/features/managed', message: 'is required' }] });
  });

  it('names every bad member, in contract order, then unknown features', () => {
    expect(
      pointers({
        device_id: '',
        features: {
          ...features,
          disk_encrypted: '1',
          jailbroken: 2,
          untrusted_network: 0.5,
          patch_age_days: -1,
          failed_logins_24h: 100_001,
          cpu: 3,
        },
      }),
    ).toEqual([
      '/device_id',
      '/features/disk_encrypted',
      '/features/jailbroken',
      '/features/untrusted_network',
      '/features/patch_age_days',
      '/features/failed_logins_24h',
      '/features/cpu',
    ]);
  });

  it('refuses numbers that are not finite', () => {
    expect(pointers({ device_id: 'd', features: { ...features, patch_age_days: Number.NaN } })).toEqual([
      '/features/patch_age_days',
    ]);
    expect(pointers({ device_id: 'd', features: { ...features, failed_logins_24h: Infinity } })).toEqual([
      '/features/failed_logins_24h',
    ]);
  });

  it('escapes unknown feature names in pointers', () => {
    expect(pointers({ device_id: 'd', features: { ...features, 'a/b~c': 1 } })).toEqual([
      '/features/a~1b~0c',
    ]);
  });

  it('bounds the device id to 256 characters', () => {
    expect(pointers({ device_id: 'x'.repeat(256), features })).toEqual([]);
    expect(pointers({ device_id: 'x'.repeat(257), features })).toEqual(['/device_id']);
    expect(pointers({ device_id: 42, features })).toEqual(['/device_id']);
  });

  it('refuses a body that is not an object, or has no features object', () => {
    expect(pointers([features])).toEqual(['']);
    expect(pointers(null)).toEqual(['']);
    expect(pointers({ device_id: 'd' })).toEqual(['/features']);
    expect(pointers({ device_id: 'd', features: [1, 1, 1, 0, 0, 2, 0] })).toEqual(['/features']);
  });
});
