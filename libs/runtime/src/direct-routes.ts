import { Logger } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { authorize, Principal, routeRequirements, TokenVerifier } from '@zt/auth';
import { DIRECT_ROUTE_KEY, DirectRouteSpec, sendProblem } from '@zt/http';
import type { FastifyRequest } from 'fastify';
import { ControllerMethod, controllerMethods, joinPath } from './controller-methods';

/** A @DirectRoute controller method, with its full path. */
export interface DirectRouteMethod extends ControllerMethod {
  method: DirectRouteSpec['method'];
  path: string;
}

type DirectHandler = (request: FastifyRequest, principal: Principal) => unknown;

/** The controller methods of the process marked @DirectRoute. */
export function directRoutes(
  discovery: DiscoveryService,
  scanner: MetadataScanner,
  reflector: Reflector,
): DirectRouteMethod[] {
  return controllerMethods(discovery, scanner).flatMap((method) => {
    const spec = reflector.get<DirectRouteSpec | undefined>(DIRECT_ROUTE_KEY, method.handler);
    if (!spec) return [];
    const path = joinPath(Reflect.getMetadata(PATH_METADATA, method.controller), spec.path);
    return [{ ...method, method: spec.method, path }];
  });
}

/**
 * Registers every @DirectRoute method on the Fastify instance (before the app listens). The
 * route's requirements are read once here, not on every call; correlation ids, body limits and
 * JSON parsing are Fastify's, as for every route.
 */
export function registerDirectRoutes(app: NestFastifyApplication): void {
  const logger = new Logger('DirectRoutes');
  const reflector = app.get(Reflector);
  const verifier = app.get(TokenVerifier);
  const fastify = app.getHttpAdapter().getInstance();
  for (const route of directRoutes(app.get(DiscoveryService), app.get(MetadataScanner), reflector)) {
    const requirements = routeRequirements(reflector, [route.handler, route.controller]);
    if (requirements.isPublic) throw new Error(`direct route ${route.path} cannot be public`);
    const invoke = (route.handler as unknown as DirectHandler).bind(route.instance);
    fastify.route({
      method: route.method,
      url: `/${route.path}`,
      errorHandler: (error, request, reply) => sendProblem(error, request, reply, logger),
      handler: async (request) => {
        // Not public, so authorize answers a principal or throws.
        const principal = (await authorize(
          verifier,
          request.headers.authorization,
          requirements,
        )) as Principal;
        return invoke(request, principal);
      },
    });
  }
}
