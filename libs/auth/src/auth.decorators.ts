import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal } from './principal';

export const PUBLIC_KEY = 'zt:public';
export const ROLES_KEY = 'zt:roles';
export const MFA_KEY = 'zt:mfa';

/** Marks a route or controller as reachable without a token (health, JWKS). */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_KEY, true);

/** Requires ANY one of these roles. */
export const Roles = (...roles: string[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, roles);

/** Requires multi-factor authentication (`amr`). */
export const RequireMfa = (): MethodDecorator & ClassDecorator => SetMetadata(MFA_KEY, true);

/** The request's verified principal (set by the guard). */
export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  const request = ctx.switchToHttp().getRequest<{ principal?: Principal }>();
  if (!request.principal) throw new Error('CurrentPrincipal used on a public route');
  return request.principal;
});
