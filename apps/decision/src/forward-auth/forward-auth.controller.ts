import { Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { Public } from '@zt/auth';
import { ApiOperation, ApiOperationSpec, correlationIdOf, JsonSchema, problem } from '@zt/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ForwardAuthGrant } from './forward-auth.answers';
import { ForwardAuthService } from './forward-auth.service';

const GRANT_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['decision', 'decision_id', 'revision'],
  properties: {
    decision: { enum: ['allow', 'isolate'] },
    decision_id: { type: 'string' },
    revision: { type: 'integer' },
  },
};

const OPERATION: Omit<ApiOperationSpec, 'summary'> = {
  tag: 'decisions',
  headers: {
    'X-Original-Method': 'nginx auth_request: the method of the request to decide',
    'X-Original-URI': 'nginx auth_request: its request target (path and query)',
    'X-Forwarded-Method': 'Traefik, Caddy: the method of the request to decide',
    'X-Forwarded-Uri': 'Traefik, Caddy: its request target (path and query)',
    'X-Forwarded-Host': 'The host asked for (else Host)',
    'X-Forwarded-Proto': 'http or https',
    'X-Forwarded-For': "The client's address (trusted proxies appended)",
    Authorization: "The client's own bearer token, passed on by the gateway: the subject",
  },
  responses: {
    200: {
      description:
        'Allowed (or isolated: X-Zt-Isolate: true); X-Zt-Decision-Id, X-Zt-Subject and X-Zt-Roles for the upstream',
      schema: GRANT_SCHEMA,
    },
    401: problem('No or an invalid bearer token, or step-up required (WWW-Authenticate)'),
    403: problem(
      'Denied: by the policies, an untrusted caller, an unreadable or ambiguous request, a rate limit',
    ),
    503: problem('The decision service cannot decide now (nginx answers the client 500)'),
  },
};

/**
 * Forward-auth for gateways (docs/forward-auth.md): nginx auth_request, Caddy forward_auth and
 * Traefik ForwardAuth call it before proxying. Public as a route: the client's token travels in the
 * forwarded request and the caller is checked against TRUSTED_PROXIES, both by the service.
 */
@Public()
@Controller('v1/zt-policy/forward-auth')
export class ForwardAuthController {
  constructor(private readonly forwardAuth: ForwardAuthService) {}

  @ApiOperation({ summary: 'Forward-auth: decide the request a gateway is about to proxy', ...OPERATION })
  @Get()
  check(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ForwardAuthGrant['body']> {
    return this.answer(request, reply);
  }

  @ApiOperation({ summary: 'Forward-auth, for gateways that call with POST (no body)', ...OPERATION })
  @Post()
  @HttpCode(200)
  checkPost(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ForwardAuthGrant['body']> {
    return this.answer(request, reply);
  }

  private async answer(request: FastifyRequest, reply: FastifyReply): Promise<ForwardAuthGrant['body']> {
    const grant = await this.forwardAuth.authorize({
      peer: request.raw.socket.remoteAddress,
      rawHeaders: request.raw.rawHeaders,
      correlationId: correlationIdOf(request),
    });
    for (const [name, value] of Object.entries(grant.headers)) void reply.header(name, value);
    // The grant names one request's decision: a shared cache must not answer another with it.
    void reply.header('cache-control', 'no-store');
    return grant.body;
  }
}
