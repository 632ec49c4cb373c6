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

/**
 * Deny by default: every route needs a valid bearer token unless marked @Public, then the
 * route's @Roles and @RequireMfa. Failures are problem+json: 401 for the token, 403 naming
 * exactly what is missing.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TokenVerifier) private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, unknown>; principal?: Principal }>();
    const token = bearerToken(request.headers.authorization);
    if (!token) throw unauthenticatedProblem('missing bearer token');
    const principal = await this.verifier.verify(token);
    request.principal = principal;

    const roles = this.reflector.getAllAndOverride<string[] | undefined>(ROLES_KEY, targets);
    const mfa = this.reflector.getAllAndOverride<boolean | undefined>(MFA_KEY, targets) ?? false;
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
    return true;
  }
}
