import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Controller, Get, Header, Inject, Param, RequestMethod, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { Public, routeRequirements } from '@zt/auth';
import {
  AdmissionControl,
  API_OPERATION_KEY,
  ApiOperation,
  ApiOperationSpec,
  buildOpenApiDocument,
  DocumentedRoute,
  ProblemError,
} from '@zt/http';
import { ControllerMethod, controllerMethods, joinPath } from './controller-methods';
import { directRoutes } from './direct-routes';

const UI_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));
const UI_ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};
const UI_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Zero Trust Policy API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui' });</script></body></html>`;

/** The OpenAPI 3.1 document of this process, built from its routes, and a browsable UI. */
@Public()
@Controller()
export class OpenApiController {
  private document?: Record<string, unknown>;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @Inject(Reflector) private readonly reflector: Reflector,
    private readonly admission: AdmissionControl,
  ) {}

  /** Every route of every controller of the process (Nest's and direct), with its documentation. */
  routes(): DocumentedRoute[] {
    const documented = (
      method: string,
      path: string,
      { handler, controller }: ControllerMethod,
    ): DocumentedRoute => ({
      method,
      path,
      isPublic: routeRequirements(this.reflector, [handler, controller]).isPublic,
      spec: this.reflector.get<ApiOperationSpec | undefined>(API_OPERATION_KEY, handler),
    });
    const routes: DocumentedRoute[] = [];
    for (const method of controllerMethods(this.discovery, this.scanner)) {
      const path: unknown = Reflect.getMetadata(PATH_METADATA, method.handler);
      if (path === undefined) continue;
      const verb = RequestMethod[Reflect.getMetadata(METHOD_METADATA, method.handler) as RequestMethod];
      routes.push(
        documented(verb, joinPath(Reflect.getMetadata(PATH_METADATA, method.controller), path), method),
      );
    }
    for (const route of directRoutes(this.discovery, this.scanner, this.reflector)) {
      routes.push(documented(route.method, route.path, route));
    }
    return routes.sort((a, b) =>
      a.path === b.path ? a.method.localeCompare(b.method) : a.path.localeCompare(b.path),
    );
  }

  @Get('openapi.json')
  @ApiOperation({
    summary: 'This OpenAPI 3.1 document',
    tag: 'meta',
    responses: { 200: { description: 'The document' } },
  })
  openapi(): Record<string, unknown> {
    this.document ??= buildOpenApiDocument(
      this.routes(),
      { title: 'Zero Trust Policy API', version: '0.1.0' },
      { admission: this.admission.enabled },
    );
    return this.document;
  }

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  @ApiOperation({
    summary: 'Browsable API documentation',
    tag: 'meta',
    responses: { 200: { description: 'An HTML page' } },
  })
  page(): string {
    return UI_PAGE;
  }

  @Get('docs/:asset')
  @ApiOperation({
    summary: 'A file of the documentation UI',
    tag: 'meta',
    responses: { 200: { description: 'The file' }, 404: { description: 'No such file' } },
  })
  asset(@Param('asset') asset: string, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    // Own members only: `constructor` or `__proto__` must not pass for an asset.
    const type = Object.hasOwn(UI_ASSETS, asset) ? UI_ASSETS[asset] : undefined;
    if (!type) throw new ProblemError(404, 'NOT_FOUND', 'No such documentation asset.');
    void reply.header('content-type', type).header('cache-control', 'public, max-age=86400');
    return readFileSync(join(UI_DIR, asset));
  }
}
