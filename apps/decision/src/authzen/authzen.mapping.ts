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

/** One entry of `evaluations`: each member falls back to the request's top-level one. */
const EVALUATION_ITEM = {
  type: 'object',
  properties: { subject: ENTITY, action: ACTION, resource: ENTITY, context: CONTEXT },
} as const;

/** Most entries in one `evaluations` array. */
export const MAX_EVALUATIONS = 100;

/**
 * JSON Schema of `POST /access/v1/evaluations` (defaults at the top, one entry per evaluation).
 * Without `evaluations`, or with an empty one, the request is a single evaluation (AuthZEN 1.0,
 * Access Evaluations API), so nothing at the top is required by the schema itself.
 */
export const AUTHZEN_EVALUATIONS_SCHEMA = {
  type: 'object',
  properties: {
    subject: ENTITY,
    action: ACTION,
    resource: ENTITY,
    context: CONTEXT,
    evaluations: { type: 'array', maxItems: MAX_EVALUATIONS, items: EVALUATION_ITEM },
    options: {
      type: 'object',
      properties: {
        evaluations_semantic: { enum: ['execute_all', 'deny_on_first_deny', 'permit_on_first_permit'] },
      },
    },
  },
} as const;

/**
 * What makes a batch invalid as a whole: its top-level defaults, options and the array itself.
 * The entries are checked one by one (evaluationItemErrors): one malformed entry fails alone.
 */
const BATCH_ENVELOPE = {
  ...AUTHZEN_EVALUATIONS_SCHEMA,
  properties: {
    ...AUTHZEN_EVALUATIONS_SCHEMA.properties,
    evaluations: { type: 'array', maxItems: MAX_EVALUATIONS },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: false });
const checkOne = ajv.compile(AUTHZEN_EVALUATION_SCHEMA);
const checkEnvelope = ajv.compile(BATCH_ENVELOPE);
const checkItem = ajv.compile(EVALUATION_ITEM);

/** Field errors of a single evaluation request; empty when valid. */
export const evaluationErrors = (body: unknown): FieldError[] => schemaFieldErrors(checkOne, body);
/** Field errors of a batch request as a whole (not of its entries); empty when valid. */
export const evaluationsErrors = (body: unknown): FieldError[] => schemaFieldErrors(checkEnvelope, body);
/** Field errors of entry `index` of a batch, with pointers into the whole request; empty when valid. */
export const evaluationItemErrors = (item: unknown, index: number): FieldError[] =>
  schemaFieldErrors(checkItem, item).map((e) => ({ ...e, pointer: `/evaluations/${index}${e.pointer}` }));

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

/**
 * A batch entry that could not be evaluated (AuthZEN 1.0, Access Evaluations API, "errors in
 * individual evaluations"): closed, with the reason in its context, in our problem+json field-error form.
 */
export interface AuthzenFailedEvaluation {
  decision: false;
  context: { error: { status: 400; message: string; errors: FieldError[] } };
}

/** A bare decision, for callers that asked for `Prefer: return=minimal`. */
export interface AuthzenBareDecision {
  decision: boolean;
}

/** What an evaluation answers: a decision, a bare one, or (in a batch) a failed entry. */
export type AuthzenAnswer = AuthzenDecision | AuthzenBareDecision | AuthzenFailedEvaluation;

/** The failed-entry answer for the field errors of one batch entry. */
export function failedEvaluation(errors: FieldError[]): AuthzenFailedEvaluation {
  return {
    decision: false,
    context: { error: { status: 400, message: 'The evaluation is invalid; it was not evaluated.', errors } },
  };
}

/**
 * A decision as the caller asked for it: in full, or bare (`{decision}` only). Failed batch
 * entries are not shaped: they keep their error even when bare, or a failure could not be told
 * from a denial.
 */
export function shaped(answer: AuthzenDecision, bare: boolean): AuthzenDecision | AuthzenBareDecision {
  return bare ? { decision: answer.decision } : answer;
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
