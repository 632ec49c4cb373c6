import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AppConfig, ConfigError } from '@zt/config';
import { createRemoteJWKSet } from 'jose';
import { AuthGuard } from './auth.guard';
import { DevIssuer } from './dev-issuer';
import { JwksController } from './jwks.controller';
import { TokenVerifier } from './token-verifier';

/** Builds the verifier: the configured JWKS_URL, else the in-process dev issuer's keys. */
export function tokenVerifierFromConfig(config: AppConfig, devIssuer?: DevIssuer): TokenVerifier {
  const jwks = config.JWKS_URL
    ? createRemoteJWKSet(new URL(config.JWKS_URL), { timeoutDuration: 5_000, cooldownDuration: 30_000 })
    : devIssuer?.keyResolver();
  if (!jwks) throw new ConfigError('JWKS_URL', 'is required (no development issuer runs in this process)');
  return new TokenVerifier({
    jwks,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    clockSkewSeconds: config.JWT_CLOCK_SKEW_SECONDS,
  });
}

/** Authentication for every route of the process, and the dev issuer's JWKS when it runs. */
@Global()
@Module({})
export class AuthModule {
  static forRoot(options: { config: AppConfig; devIssuer?: DevIssuer }): DynamicModule {
    const verifier = tokenVerifierFromConfig(options.config, options.devIssuer);
    const providers: Provider[] = [
      { provide: TokenVerifier, useValue: verifier },
      { provide: APP_GUARD, useClass: AuthGuard },
    ];
    if (options.devIssuer) providers.push({ provide: DevIssuer, useValue: options.devIssuer });
    return {
      module: AuthModule,
      controllers: options.devIssuer ? [JwksController] : [],
      providers,
      exports: options.devIssuer ? [TokenVerifier, DevIssuer] : [TokenVerifier],
    };
  }
}
