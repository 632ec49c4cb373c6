import type { Server as NetServer } from 'node:net';
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Principal, Public } from '@zt/auth';
import { APP_CONFIG, AppConfig } from '@zt/config';
import { ApiOperation, DirectRoute, JsonSchema, problem } from '@zt/http';
import { decisionCallOf } from '../decisions/decision-call';
import type { FastifyRequest } from 'fastify';
import { AUTHZEN_EVALUATION_SCHEMA, AUTHZEN_EVALUATIONS_SCHEMA, AuthzenDecision } from './authzen.mapping';
import { AuthzenService } from './authzen.service';

const DECISION: JsonSchema = {
  type: 'object',
  required: ['decision', 'context'],
  properties: {
    decision: { type: 'boolean' },
    context: { type: 'object', required: ['id', 'decision', 'reason_admin', 'reason_user'] },
  },
};

/**
 * Base URL of this PDP for the AuthZEN metadata: PUBLIC_BASE_URL, else `http://HOST:PORT` of
 * this process (the port it really listens on, PORT may be 0). Never the request's Host header:
 * a caller could make the document, and every cache that keeps it, point PEPs at its own server.
 */
export function metadataBaseUrl(
  config: Pick<AppConfig, 'PUBLIC_BASE_URL' | 'HOST' | 'PORT'>,
  listeningPort: number | undefined,
): string {
  if (config.PUBLIC_BASE_URL) return config.PUBLIC_BASE_URL.replace(/\/+$/, '');
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return `http://${host}:${listeningPort ?? config.PORT}`;
}

/** The OpenID AuthZEN Authorization API 1.0 endpoints; evaluations are direct routes (see @DirectRoute). */
@Controller()
export class AuthzenController {
  constructor(
    private readonly authzen: AuthzenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly http: HttpAdapterHost,
  ) {}

  @ApiOperation({
    summary: 'AuthZEN access evaluation',
    tag: 'authzen',
    body: { schema: AUTHZEN_EVALUATION_SCHEMA as unknown as JsonSchema },
    responses: {
      200: { description: 'The decision', schema: DECISION },
      400: problem('Invalid request; pointers in errors'),
      503: problem('This replica has not reached the revision asked for (Zt-Min-Revision); Retry-After'),
    },
  })
  @DirectRoute('POST', 'access/v1/evaluation')
  evaluation(request: FastifyRequest, principal: Principal): Promise<AuthzenDecision> {
    return this.authzen.evaluate(request.body, principal, decisionCallOf(request));
  }

  @ApiOperation({
    summary: 'AuthZEN access evaluations (batch)',
    tag: 'authzen',
    body: { schema: AUTHZEN_EVALUATIONS_SCHEMA as unknown as JsonSchema },
    responses: {
      200: {
        description: 'One decision per evaluation run',
        schema: {
          type: 'object',
          required: ['evaluations'],
          properties: { evaluations: { type: 'array', items: DECISION } },
        },
      },
      400: problem('Invalid request; pointers in errors'),
      413: problem('More evaluations than RATE_LIMIT_PER_SECOND allows: the batch could never be answered'),
      503: problem('This replica has not reached the revision asked for (Zt-Min-Revision); Retry-After'),
    },
  })
  @DirectRoute('POST', 'access/v1/evaluations')
  evaluations(request: FastifyRequest, principal: Principal): Promise<{ evaluations: AuthzenDecision[] }> {
    return this.authzen.evaluateAll(request.body, principal, decisionCallOf(request));
  }

  @ApiOperation({
    summary: 'AuthZEN PDP metadata',
    tag: 'authzen',
    responses: {
      200: { description: 'The metadata', schema: { type: 'object', required: ['policy_decision_point'] } },
    },
  })
  @Public()
  @Get('.well-known/authzen-configuration')
  // The document only changes with the deployment's settings.
  @Header('cache-control', 'public, max-age=300')
  configuration(): Record<string, string> {
    const base = metadataBaseUrl(this.config, this.listeningPort());
    return {
      policy_decision_point: base,
      access_evaluation_endpoint: `${base}/access/v1/evaluation`,
      access_evaluations_endpoint: `${base}/access/v1/evaluations`,
    };
  }

  /** The port this process really listens on (PORT may be 0: any free port). */
  private listeningPort(): number | undefined {
    const server = this.http.httpAdapter?.getHttpServer() as NetServer | undefined;
    const address = server?.address();
    return typeof address === 'object' && address ? address.port : undefined;
  }
}
