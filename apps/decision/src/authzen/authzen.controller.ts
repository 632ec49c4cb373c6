import { Controller, Get, Req } from '@nestjs/common';
import { Principal, Public } from '@zt/auth';
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

/** Base URL of this PDP as the caller reached it, for the AuthZEN metadata. */
function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? 'localhost'}`;
}

/** The OpenID AuthZEN Authorization API 1.0 endpoints; evaluations are direct routes (see @DirectRoute). */
@Controller()
export class AuthzenController {
  constructor(private readonly authzen: AuthzenService) {}

  @ApiOperation({
    summary: 'AuthZEN access evaluation',
    tag: 'authzen',
    body: { schema: AUTHZEN_EVALUATION_SCHEMA as unknown as JsonSchema },
    responses: {
      200: { description: 'The decision', schema: DECISION },
      400: problem('Invalid request; pointers in errors'),
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
  configuration(@Req() request: FastifyRequest): Record<string, string> {
    const base = baseUrl(request);
    return {
      policy_decision_point: base,
      access_evaluation_endpoint: `${base}/access/v1/evaluation`,
      access_evaluations_endpoint: `${base}/access/v1/evaluations`,
    };
  }
}
