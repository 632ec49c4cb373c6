export * from './logger';
export * from './readiness';
export * from './metrics';
