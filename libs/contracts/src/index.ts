export * from './topics';
export * from './cloud-event';
export * from './event-types';
export * from './payloads';
export * from './canonical-json';
export * from './audit-seal';
export * from './audit-verification';
export * from './json-object';
