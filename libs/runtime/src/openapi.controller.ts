import { readFileSync } from 'node:fs';
import type { Server as NetServer } from 'node:net';
import { dirname, join } from 'node:path';
import { Controller, Get, Header, Inject, Param, RequestMethod, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, HttpAdapterHost, MetadataScanner, Reflector } from '@nestjs/core';
import { Public, routeRequirements } from '@zt/auth';
import { APP_CONFIG, AppConfig } from '@zt/config';
import {
  AdmissionControl,
  API_OPERATION_KEY,
  ApiOperation,
  ApiOperationSpec,
  buildOpenApiDocument,
  DocumentedRoute,
  JsonSchema,
  problem,
  listeningPortOf,
  ProblemError,
  publicBaseUrl,
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

/** What a client reads of this document; the rest is OpenAPI 3.1's own schema. */
const OPENAPI_DOCUMENT: JsonSchema = {
  type: 'object',
  required: ['openapi', 'info', 'paths'],
  properties: {
    openapi: { type: 'string' },
    info: {
      type: 'object',
      required: ['title', 'version'],
      properties: { title: { type: 'string' }, version: { type: 'string' } },
    },
    jsonSchemaDialect: { type: 'string' },
    servers: {
      type: 'array',
      items: {
        type: 'object',
        required: ['url'],
        properties: { url: { type: 'string' }, description: { type: 'string' } },
      },
    },
    components: { type: 'object' },
    paths: { type: 'object', additionalProperties: { type: 'object' } },
  },
};
const TEXT = { type: 'string' };

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
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly http: HttpAdapterHost,
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
    responses: { 200: { description: 'The document', schema: OPENAPI_DOCUMENT } },
  })
  openapi(): Record<string, unknown> {
    // Built on the first request, when the server listens: `servers` needs the real port.
    this.document ??= buildOpenApiDocument(
      this.routes(),
      { title: 'Zero Trust Policy API', version: '0.1.0' },
      {
        admission: this.admission.enabled,
        servers: [
          {
            url: publicBaseUrl(
              this.config,
              listeningPortOf(this.http.httpAdapter?.getHttpServer() as NetServer | undefined),
            ),
            description: 'This deployment',
          },
        ],
      },
    );
    return this.document;
  }

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  @ApiOperation({
    summary: 'Browsable API documentation',
    tag: 'meta',
    responses: { 200: { description: 'An HTML page', contentType: 'text/html', schema: TEXT } },
  })
  page(): string {
    return UI_PAGE;
  }

  @Get('docs/:asset')
  @ApiOperation({
    summary: 'A file of the documentation UI',
    tag: 'meta',
    responses: {
      200: { description: 'The file', contentType: ['text/css', 'text/javascript'], schema: TEXT },
      404: problem('No such file'),
    },
  })
  asset(@Param('asset') asset: string, @Res({ passthrough: true }) reply: FastifyReply): Buffer {
    // Own members only: `constructor` or `__proto__` must not pass for an asset.
    const type = Object.hasOwn(UI_ASSETS, asset) ? UI_ASSETS[asset] : undefined;
    if (!type) throw new ProblemError(404, 'NOT_FOUND', 'No such documentation asset.');
    void reply.header('content-type', type).header('cache-control', 'public, max-age=86400');
    return readFileSync(join(UI_DIR, asset));
  }
}
