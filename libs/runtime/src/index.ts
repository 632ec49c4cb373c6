export * from './service-definition';
export * from './root-module';
export * from './bootstrap';
export * from './health.controller';
export * from './openapi.controller';
export * from './asyncapi.controller';
