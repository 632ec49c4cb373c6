import Ajv from 'ajv';
import { FieldError, schemaFieldErrors } from '@zt/http';
import type { DecisionBody, DecisionResponse } from '../decisions/decisions.service';

// OpenID AuthZEN Authorization API 1.0 shapes.
const ENTITY = {
  type: 'object',
  required: ['type', 'id'],
  properties: {
    type: { type: 'string', minLength: 1, maxLength: 64 },
    id: { type: 'string', minLength: 1, maxLength: 512 },
    properties: { type: 'object', maxProperties: 100 },
  },
} as const;
const ACTION = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 256 },
    properties: { type: 'object', maxProperties: 100 },
  },
} as const;
const CONTEXT = { type: 'object', maxProperties: 100 } as const;

/** JSON Schema of `POST /access/v1/evaluation`. */
export const AUTHZEN_EVALUATION_SCHEMA = {
  type: 'object',
  required: ['subject', 'action', 'resource'],
  properties: { subject: ENTITY, action: ACTION, resource: ENTITY, context: CONTEXT },
} as const;

/** JSON Schema of `POST /access/v1/evaluations` (defaults at the top, one entry per evaluation). */
export const AUTHZEN_EVALUATIONS_SCHEMA = {
  type: 'object',
  required: ['evaluations'],
  properties: {
    subject: ENTITY,
    action: ACTION,
    resource: ENTITY,
    context: CONTEXT,
    evaluations: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        properties: { subject: ENTITY, action: ACTION, resource: ENTITY, context: CONTEXT },
      },
    },
    options: {
      type: 'object',
      properties: {
        evaluations_semantic: { enum: ['execute_all', 'deny_on_first_deny', 'permit_on_first_permit'] },
      },
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
const checkOne = ajv.compile(AUTHZEN_EVALUATION_SCHEMA);
const checkMany = ajv.compile(AUTHZEN_EVALUATIONS_SCHEMA);

/** Field errors of a single evaluation request; empty when valid. */
export const evaluationErrors = (body: unknown): FieldError[] => schemaFieldErrors(checkOne, body);
/** Field errors of a batch request; empty when valid. */
export const evaluationsErrors = (body: unknown): FieldError[] => schemaFieldErrors(checkMany, body);

interface Entity {
  type: string;
  id: string;
  properties?: Record<string, unknown>;
}

/** One AuthZEN evaluation: subject, action, resource and context. */
export interface AuthzenEvaluation {
  subject: Entity;
  action: { name: string; properties?: Record<string, unknown> };
  resource: Entity;
  context?: Record<string, unknown>;
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}

/**
 * Maps an AuthZEN evaluation onto the engine's request: subject properties `roles` and
 * `groups` are memberships, every other property an attribute; action properties join the
 * context under `action`; resource properties are resource attributes.
 */
export function toDecisionBody(evaluation: AuthzenEvaluation): DecisionBody {
  const { roles, groups, ...subjectAttributes } = evaluation.subject.properties ?? {};
  return {
    subject: {
      type: evaluation.subject.type,
      id: evaluation.subject.id,
      ...(strings(roles) ? { roles: strings(roles) } : {}),
      ...(strings(groups) ? { groups: strings(groups) } : {}),
      attributes: subjectAttributes,
    },
    action: evaluation.action.name,
    resource: {
      type: evaluation.resource.type,
      id: evaluation.resource.id,
      attributes: evaluation.resource.properties ?? {},
    },
    context: {
      ...(evaluation.context ?? {}),
      ...(evaluation.action.properties ? { action: evaluation.action.properties } : {}),
    },
  };
}

/** An AuthZEN decision: a boolean, with our decision and the reasons in its context. */
export interface AuthzenDecision {
  decision: boolean;
  context: {
    id: string;
    decision: string;
    revision: number;
    reason_admin: { en: string };
    reason_user: { en: string };
    obligations?: unknown[];
  };
}

/** Only `allow` is true; require_mfa and isolate are false with the reason saying what is needed. */
export function toAuthzenDecision(result: DecisionResponse): AuthzenDecision {
  return {
    decision: result.decision === 'allow',
    context: {
      id: result.decision_id,
      decision: result.decision,
      revision: result.revision,
      reason_admin: { en: result.reasons.join('; ') },
      reason_user: { en: result.userReasons.join(' ') },
      ...(result.obligations.length > 0 ? { obligations: result.obligations } : {}),
    },
  };
}
