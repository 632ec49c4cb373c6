import { Controller } from '@nestjs/common';
import type { Principal } from '@zt/auth';
import { ApiOperation, DirectRoute, JsonSchema, problem } from '@zt/http';
import { decisionCallOf } from './decision-call';
import { DECISION_REQUEST_SCHEMA } from './decision-request.schema';
import type { FastifyRequest } from 'fastify';
import { DecisionResponse, DecisionsService } from './decisions.service';

const EFFECT = { enum: ['allow', 'deny', 'require_mfa', 'isolate'] };
const POLICY_REF = {
  type: 'object',
  required: ['id', 'version'],
  properties: { id: { type: 'string' }, version: { type: 'integer' } },
};

/** The native decision answer. */
export const DECISION_RESPONSE_SCHEMA: JsonSchema = {
  type: 'object',
  required: [
    'decision',
    'decision_id',
    'revision',
    'decidingPolicies',
    'reasons',
    'userReasons',
    'obligations',
    'audit',
    'candidates',
  ],
  properties: {
    decision: EFFECT,
    decision_id: { type: 'string' },
    revision: { type: 'integer' },
    decidingPolicies: { type: 'array', items: POLICY_REF },
    reasons: { type: 'array', items: { type: 'string' } },
    userReasons: { type: 'array', items: { type: 'string' } },
    obligations: { type: 'array', items: { type: 'object', required: ['type', 'policyId'] } },
    audit: { type: 'array', items: { type: 'object', required: ['id', 'version', 'wouldDecide'] } },
    candidates: {
      type: 'array',
      items: { type: 'object', required: ['id', 'version', 'effect', 'enforcementMode', 'applies'] },
    },
  },
};

/**
 * The native decision API. A PDP answers 200 with the decision; denying is the PEP's job. Served
 * by Fastify directly (@DirectRoute): enforcement points call it on every request.
 */
@Controller('v1/zt-policy/decisions')
export class DecisionsController {
  constructor(private readonly decisions: DecisionsService) {}

  @ApiOperation({
    summary: 'Decide a request (deny by default), with its explanation',
    tag: 'decisions',
    body: { schema: DECISION_REQUEST_SCHEMA as unknown as JsonSchema },
    responses: {
      200: { description: 'The decision', schema: DECISION_RESPONSE_SCHEMA },
      400: problem('Invalid request; pointers in errors'),
      503: problem('This replica has not reached min_revision / Zt-Min-Revision; Retry-After'),
    },
  })
  @DirectRoute('POST', '')
  decide(request: FastifyRequest, principal: Principal): Promise<DecisionResponse> {
    return this.decisions.decide(request.body, principal, decisionCallOf(request));
  }
}
