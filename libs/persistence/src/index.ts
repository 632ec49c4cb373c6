export * from './embedded-postgres';
export * from './database.module';
export * from './insertable';
export * from './columns';
export * from './outbox';
