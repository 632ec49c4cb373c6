export * from './problem';
export * from './problem.filter';
export * from './correlation';
export * from './openapi/api-operation';
export * from './direct-route';
export * from './openapi/openapi-document';
export * from './schema-errors';
