/** Seed 000's POST /policies example body ("Data Scientist Access"), as the seed writes it. */
export const SEED_000_DATA_SCIENTIST = {
  name: 'Data Scientist Access',
  subjects: ['group:data_science'],
  resources: ['bigquery.dataset.*'],
  actions: ['read'],
  conditions: { location: 'EU_ONLY', device_posture: 'compliant' },
  effect: 'allow',
};

/** Seed 000's GET /policies example ("Engineering Admin Access"). */
export const SEED_000_ENGINEERING_ADMIN = {
  id: 'pol_884b81',
  name: 'Engineering Admin Access',
  subjects: ['group:engineering'],
  resources: ['gitlab.*', 'internal.k8s.cluster'],
  conditions: { device_posture: 'compliant', location: 'US_ONLY' },
  actions: ['read', 'write', 'admin'],
  effect: 'allow',
};
