export * from './logger';
export * from './readiness';
export * from './metrics';
export * from './throttled-warning';
