// NestJS: an @Authorize(action, resourceFn) decorator and a guard on the shared enforcement point.
//   @Module({ imports: [ZtEnforcementModule.forRoot({ client })], providers: [{ provide: APP_GUARD, useClass: ZtGuard }] })
//   @Delete(':id') @Authorize('delete', (req) => ({ type: 'todo', id: req.params.id })) remove() {...}
import {
  type CanActivate,
  type DynamicModule,
  type ExecutionContext,
  HttpException,
  Inject,
  Injectable,
  Module,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { IncomingHttpHeaders } from 'node:http';
import {
  type AuthorizeRule,
  EnforcementPoint,
  type EnforcementPointOptions,
  type ZtRequestContext,
} from './enforcement-point.js';
import type { Refusal } from './refusals.js';

/** The injection token of the application's EnforcementPoint. */
export const ZT_ENFORCEMENT_POINT = Symbol('ZT_ENFORCEMENT_POINT');
const AUTHORIZE_RULE = 'zt:authorize';

/** A request as Express or Fastify give it to a Nest guard. */
export interface NestHttpRequest {
  headers: IncomingHttpHeaders;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: unknown;
  zt?: ZtRequestContext;
}

/**
 * Requires a decision before the handler runs: `action` on the resource `resource(req)` returns.
 * On a controller, it applies to every handler that has none of its own.
 */
export function Authorize(
  action: AuthorizeRule<NestHttpRequest>['action'],
  resource: AuthorizeRule<NestHttpRequest>['resource'],
  options: Omit<AuthorizeRule<NestHttpRequest>, 'action' | 'resource'> = {},
): MethodDecorator & ClassDecorator {
  return SetMetadata(AUTHORIZE_RULE, { ...options, action, resource });
}

type AnyResponse = {
  header?: (n: string, v: string) => unknown;
  setHeader?: (n: string, v: string) => unknown;
};

function setHeaders(response: AnyResponse, refusal: Refusal): void {
  for (const [name, value] of Object.entries(refusal.headers)) {
    // Express has setHeader; a Fastify reply has header (its raw response would bypass Fastify).
    if (typeof response.header === 'function') response.header(name, value);
    else response.setHeader?.(name, value);
  }
}

/** Enforces @Authorize on a route; routes without it pass untouched. */
@Injectable()
export class ZtGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(ZT_ENFORCEMENT_POINT) private readonly pep: EnforcementPoint<NestHttpRequest>,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const rule = this.reflector.getAllAndOverride<AuthorizeRule<NestHttpRequest> | undefined>(
      AUTHORIZE_RULE,
      [context.getHandler(), context.getClass()],
    );
    if (!rule || context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<NestHttpRequest>();
    const outcome = await this.pep.enforce(rule, request, request.headers);
    request.zt = outcome.zt;
    if (outcome.allowed) return true;
    setHeaders(http.getResponse<AnyResponse>(), outcome.refusal);
    // Nest's exception filter writes the body; the content type set above (problem+json) stays.
    throw new HttpException(outcome.refusal.body, outcome.refusal.status);
  }
}

/** Provides the EnforcementPoint (and the guard) to a Nest application. */
@Module({})
export class ZtEnforcementModule {
  static forRoot(options: EnforcementPointOptions<NestHttpRequest>): DynamicModule {
    return {
      module: ZtEnforcementModule,
      global: true,
      providers: [{ provide: ZT_ENFORCEMENT_POINT, useValue: new EnforcementPoint(options) }, ZtGuard],
      exports: [ZT_ENFORCEMENT_POINT, ZtGuard],
    };
  }
}
