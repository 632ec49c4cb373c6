import type { Server as NetServer } from 'node:net';
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Principal, Public } from '@zt/auth';
import { APP_CONFIG, AppConfig } from '@zt/config';
import {
  ApiOperation,
  DirectRoute,
  JsonSchema,
  problem,
  listeningPortOf,
  publicBaseUrl,
  RATE_LIMITED,
} from '@zt/http';
import { decisionCallOf } from '../decisions/decision-call';
import type { FastifyRequest } from 'fastify';
import type { FastifyInstance } from 'fastify';
import { installAuthzenTransport, prefersMinimal, REQUEST_ID_HEADER } from './authzen-transport';
import {
  AUTHZEN_EVALUATION_SCHEMA,
  AUTHZEN_EVALUATIONS_SCHEMA,
  AuthzenAnswer,
  AuthzenBareDecision,
  AuthzenDecision,
} from './authzen.mapping';
import { AuthzenService } from './authzen.service';

const REASON: JsonSchema = { type: 'object', required: ['en'], properties: { en: { type: 'string' } } };

/** A decision; `context` is left out when the caller asked for `Prefer: return=minimal`. */
const DECISION: JsonSchema = {
  type: 'object',
  required: ['decision'],
  properties: {
    decision: { type: 'boolean' },
    context: {
      type: 'object',
      required: ['id', 'decision', 'revision', 'reason_admin', 'reason_user'],
      properties: {
        id: { type: 'string', description: 'Decision id, as in the decision log' },
        decision: { enum: ['allow', 'deny', 'require_mfa', 'isolate'] },
        revision: { type: 'integer', description: 'Policy revision the decision was made on' },
        reason_admin: REASON,
        reason_user: REASON,
        obligations: { type: 'array', items: { type: 'object' } },
      },
    },
  },
};

/** A batch entry that was not evaluated: closed, with its field errors. */
const FAILED_EVALUATION: JsonSchema = {
  type: 'object',
  required: ['decision', 'context'],
  properties: {
    decision: { const: false },
    context: {
      type: 'object',
      required: ['error'],
      properties: {
        error: {
          type: 'object',
          required: ['status', 'message', 'errors'],
          properties: {
            status: { const: 400 },
            message: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                required: ['pointer', 'detail'],
                properties: { pointer: { type: 'string' }, detail: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  },
};

const AUTHZEN_HEADERS = {
  [REQUEST_ID_HEADER]:
    'Request id, echoed in the answer (errors included) when it is 1-128 visible ASCII characters; otherwise the answer carries the correlation id instead',
  prefer:
    '`return=minimal` for bare decisions (`{"decision": …}` without context); answered with Preference-Applied',
};

const ENDPOINT = { type: 'string', format: 'uri' };
/** AuthZEN §9 PDP metadata: this PDP's base URL and the URL of each endpoint it serves. */
const PDP_METADATA: JsonSchema = {
  type: 'object',
  required: ['policy_decision_point', 'access_evaluation_endpoint'],
  properties: {
    policy_decision_point: ENDPOINT,
    access_evaluation_endpoint: ENDPOINT,
    access_evaluations_endpoint: ENDPOINT,
    search_subject_endpoint: ENDPOINT,
    search_resource_endpoint: ENDPOINT,
    search_action_endpoint: ENDPOINT,
  },
  // Later versions of the specification add endpoints.
  additionalProperties: ENDPOINT,
};

/** The OpenID AuthZEN Authorization API 1.0 endpoints; evaluations are direct routes (see @DirectRoute). */
@Controller()
export class AuthzenController {
  constructor(
    private readonly authzen: AuthzenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly http: HttpAdapterHost,
  ) {
    // The AuthZEN transport rules (authzen-transport.ts) attach to the AuthZEN routes as they are
    // registered, so here, in the constructor: Nest builds controllers before it or the direct
    // routes register any route (onModuleInit would come too late).
    const fastify = http.httpAdapter?.getInstance<FastifyInstance>();
    if (fastify) installAuthzenTransport(fastify);
  }

  @ApiOperation({
    summary: 'AuthZEN access evaluation',
    tag: 'authzen',
    body: { schema: AUTHZEN_EVALUATION_SCHEMA as unknown as JsonSchema },
    headers: AUTHZEN_HEADERS,
    responses: {
      200: { description: 'The decision', schema: DECISION },
      400: problem('Invalid request; pointers in errors'),
      429: RATE_LIMITED,
      503: problem('This replica has not reached the revision asked for (Zt-Min-Revision); Retry-After'),
    },
  })
  @DirectRoute('POST', 'access/v1/evaluation')
  evaluation(request: FastifyRequest, principal: Principal): Promise<AuthzenDecision | AuthzenBareDecision> {
    return this.authzen.evaluate(request.body, principal, decisionCallOf(request), {
      bare: prefersMinimal(request.headers.prefer),
    });
  }

  @ApiOperation({
    summary: 'AuthZEN access evaluations (batch)',
    tag: 'authzen',
    body: { schema: AUTHZEN_EVALUATIONS_SCHEMA as unknown as JsonSchema },
    headers: AUTHZEN_HEADERS,
    responses: {
      200: {
        description:
          'One answer per evaluation run, in request order (a malformed entry fails alone); without `evaluations`, or with an empty array, the single decision',
        schema: {
          oneOf: [
            {
              type: 'object',
              required: ['evaluations'],
              properties: { evaluations: { type: 'array', items: { oneOf: [DECISION, FAILED_EVALUATION] } } },
            },
            DECISION,
          ],
        },
      },
      400: problem('Invalid request as a whole (defaults, options, the array); pointers in errors'),
      413: problem('More evaluations than RATE_LIMIT_PER_SECOND allows: the batch could never be answered'),
      429: RATE_LIMITED,
      503: problem('This replica has not reached the revision asked for (Zt-Min-Revision); Retry-After'),
    },
  })
  @DirectRoute('POST', 'access/v1/evaluations')
  evaluations(
    request: FastifyRequest,
    principal: Principal,
  ): Promise<{ evaluations: AuthzenAnswer[] } | AuthzenDecision | AuthzenBareDecision> {
    return this.authzen.evaluateAll(request.body, principal, decisionCallOf(request), {
      bare: prefersMinimal(request.headers.prefer),
    });
  }

  @ApiOperation({
    summary: 'AuthZEN PDP metadata',
    tag: 'authzen',
    responses: {
      200: { description: 'The metadata', schema: PDP_METADATA },
    },
  })
  @Public()
  @Get('.well-known/authzen-configuration')
  // The document only changes with the deployment's settings.
  @Header('cache-control', 'public, max-age=300')
  configuration(): Record<string, string> {
    const base = publicBaseUrl(
      this.config,
      listeningPortOf(this.http.httpAdapter?.getHttpServer() as NetServer | undefined),
    );
    return {
      policy_decision_point: base,
      access_evaluation_endpoint: `${base}/access/v1/evaluation`,
      access_evaluations_endpoint: `${base}/access/v1/evaluations`,
      search_subject_endpoint: `${base}/access/v1/search/subject`,
      search_resource_endpoint: `${base}/access/v1/search/resource`,
      search_action_endpoint: `${base}/access/v1/search/action`,
    };
  }
}
