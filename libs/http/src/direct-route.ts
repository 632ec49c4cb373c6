import { SetMetadata } from '@nestjs/common';

/** How a controller method is served outside Nest's router: its HTTP method and path. */
export interface DirectRouteSpec {
  method: 'GET' | 'POST';
  path: string;
}

export const DIRECT_ROUTE_KEY = 'zt:direct-route';

/**
 * Serves a controller method directly from Fastify instead of through Nest's router, for the few
 * endpoints enforcement points call on every request: Nest's per-request pipeline (guards,
 * interceptors, pipes, parameter decorators) costs about a fifth of such a call. The method is
 * called as `(request, principal)`; the route is authenticated like every other one (@Roles and
 * @RequireMfa apply; @Public is refused), errors are rendered by the same problem+json code, and
 * @ApiOperation documents it in /openapi.json. Use it for nothing else: a Nest route is simpler.
 */
export const DirectRoute = (method: DirectRouteSpec['method'], path: string): MethodDecorator =>
  SetMetadata(DIRECT_ROUTE_KEY, { method, path } satisfies DirectRouteSpec);
