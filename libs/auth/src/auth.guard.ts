import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ProblemError, unauthenticatedProblem } from '@zt/http';
import { MFA_KEY, PUBLIC_KEY, ROLES_KEY } from './auth.decorators';
import type { Principal } from './principal';
import { TokenVerifier } from './token-verifier';
import { bearerToken } from './bearer';

/** The roles and factors a principal lacks for a route; empty when it may pass. */
export function missingRequirements(
  principal: Principal,
  roles: string[] | undefined,
  mfa: boolean,
): string[] {
  const missing: string[] = [];
  if (roles && roles.length > 0 && !roles.some((r) => principal.roles.includes(r))) {
    missing.push(roles.length === 1 ? `the role ${roles[0]}` : `one of the roles ${roles.join(', ')}`);
  }
  if (mfa && !principal.mfa) missing.push('multi-factor authentication');
  return missing;
}

/** What a route asks of its caller: nothing (public), or a valid token with these roles and factors. */
export interface RouteRequirements {
  isPublic: boolean;
  roles?: string[];
  mfa: boolean;
}

/** The requirements a route declares with @Public, @Roles and @RequireMfa (method over class). */
export function routeRequirements(
  reflector: Reflector,
  targets: Parameters<Reflector['getAllAndOverride']>[1],
): RouteRequirements {
  return {
    isPublic: reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets) ?? false,
    roles: reflector.getAllAndOverride<string[] | undefined>(ROLES_KEY, targets),
    mfa: reflector.getAllAndOverride<boolean | undefined>(MFA_KEY, targets) ?? false,
  };
}

/**
 * Deny by default: checks a request's bearer token and the route's roles and factors. Returns the
 * principal (undefined on a public route); throws problem+json: 401 for the token, 403 naming
 * exactly what is missing. One check for Nest's routes ({@link AuthGuard}) and direct ones.
 */
export async function authorize(
  verifier: TokenVerifier,
  authorization: unknown,
  requirements: RouteRequirements,
): Promise<Principal | undefined> {
  if (requirements.isPublic) return undefined;
  const token = bearerToken(authorization);
  if (!token) throw unauthenticatedProblem('missing bearer token');
  const principal = await verifier.verify(token);
  const { roles, mfa } = requirements;
  const missing = missingRequirements(principal, roles, mfa);
  if (missing.length > 0) {
    const roleMissing = roles !== undefined && missing[0].includes('role');
    throw new ProblemError(
      403,
      roleMissing ? 'ROLE_REQUIRED' : 'MFA_REQUIRED',
      `Requires ${missing.join(' and ')}.`,
      {
        ...(roleMissing ? { requiredRoles: roles } : {}),
        ...(mfa && !principal.mfa ? { mfaRequired: true } : {}),
      },
    );
  }
  return principal;
}

/** Nest's guard for every route it serves: see {@link authorize}. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, unknown>; principal?: Principal }>();
    const requirements = routeRequirements(this.reflector, [context.getHandler(), context.getClass()]);
    const principal = await authorize(this.verifier, request.headers.authorization, requirements);
    if (principal) request.principal = principal;
    return true;
  }
}
