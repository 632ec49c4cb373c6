export * from './model';
export * from './parse';
export * from './policy-set';
export * from './location-sets';
export * from './glob';
