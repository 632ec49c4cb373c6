import { DECISION_REQUEST_SCHEMA } from '@zt/contracts';
import { Controller } from '@nestjs/common';
import type { Principal } from '@zt/auth';
import { ApiOperation, DirectRoute, JsonSchema, problem, RATE_LIMITED } from '@zt/http';
import { decisionCallOf } from './decision-call';
import type { FastifyRequest } from 'fastify';
import { DecisionResponse, DecisionsService } from './decisions.service';

const EFFECT = { enum: ['allow', 'deny', 'require_mfa', 'isolate'] };
const POLICY_REF = {
  type: 'object',
  required: ['id', 'version'],
  properties: { id: { type: 'string' }, version: { type: 'integer' } },
};

/** Something the enforcement point must do along with the decision. */
export const OBLIGATION_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['type', 'policyId'],
  properties: {
    type: { const: 'session' },
    policyId: { type: 'string' },
    maxDurationSeconds: { type: 'integer' },
    reauthIntervalSeconds: { type: 'integer' },
  },
};

/** What a time-travel answer (`at`) says of itself. */
export const AS_OF_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'Only with at: the past revision decided on, and what entered the decision',
  required: ['revision', 'committed_at', 'at', 'device_facts'],
  properties: {
    revision: { type: 'integer', description: 'The last revision committed at or before at' },
    committed_at: { type: ['string', 'null'], format: 'date-time' },
    at: { type: 'string', format: 'date-time', description: 'The instant asked about' },
    device_facts: {
      const: 'request_only',
      description: 'Device intelligence keeps no history: only the device facts the request gives count',
    },
  },
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
    as_of: AS_OF_SCHEMA,
    decidingPolicies: { type: 'array', items: POLICY_REF },
    reasons: { type: 'array', items: { type: 'string' } },
    userReasons: { type: 'array', items: { type: 'string' } },
    obligations: { type: 'array', items: OBLIGATION_SCHEMA },
    audit: {
      type: 'array',
      description: 'What audit-mode policies would have decided, had they been enforced',
      items: {
        type: 'object',
        required: ['id', 'version', 'wouldDecide'],
        properties: { id: { type: 'string' }, version: { type: 'integer' }, wouldDecide: EFFECT },
      },
    },
    candidates: {
      type: 'array',
      description: 'Every policy whose target covered the request, and how it fared',
      items: {
        type: 'object',
        required: ['id', 'version', 'effect', 'enforcementMode', 'applies'],
        properties: {
          id: { type: 'string' },
          version: { type: 'integer' },
          effect: EFFECT,
          enforcementMode: { enum: ['enforce', 'audit', 'disabled'] },
          applies: { type: 'boolean' },
          failed: {
            type: 'object',
            description: 'The first condition that did not hold',
            required: ['condition', 'admin', 'user'],
            properties: {
              condition: { type: 'string', description: 'Its kind: mfa, risk_max, expression...' },
              admin: { type: 'string', description: 'Why, in full, for an administrator' },
              user: { type: 'string', description: 'What the user can do about it' },
            },
          },
        },
      },
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
      403: problem(
        'The subject is not the caller and the caller lacks the pep role; or at without the role auditor or infra_admin',
      ),
      422: problem('HISTORY_NOT_AVAILABLE: at is older than the policy history kept'),
      429: RATE_LIMITED,
      503: problem(
        'This replica has not reached min_revision / Zt-Min-Revision, or (with at) the past state cannot be read now; Retry-After',
      ),
    },
  })
  @DirectRoute('POST', '')
  decide(request: FastifyRequest, principal: Principal): Promise<DecisionResponse> {
    return this.decisions.decide(request.body, principal, decisionCallOf(request));
  }
}
