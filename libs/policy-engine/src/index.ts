export * from './model';
export * from './parse';
export * from './policy-set';
export * from './countries';
export * from './glob';
export * from './authentication';
export * from './time-window';
export { EFFECT_PRECEDENCE } from './decide';
export { boundsIssues } from './validation';
