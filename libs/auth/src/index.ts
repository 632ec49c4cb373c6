export * from './principal';
export * from './token-verifier';
export * from './dev-issuer';
export * from './auth.decorators';
export * from './auth.guard';
export * from './jwks.controller';
export * from './auth.module';
export * from './signing-key';
