import Ajv from 'ajv';
import { schemaProblems } from '../schema-problems';
import { InputLimits, InputProblem, inputProblems } from '../untrusted-input';

/**
 * Bounds on a whole decision request, however deep, tighter than the limits every body is held
 * to (INPUT_LIMITS): a decision is on every request a PEP serves, and its attributes and context
 * are what policy expressions iterate over. 100 items or members is more than any real subject's
 * roles or any context needs, and keeps two nested comprehensions at 10,000 items; 8 levels hold
 * `context.device.posture.checks[0].name` with room to spare; 4,096 characters hold any JWT
 * claim, certificate subject or user agent; 2,000 values in all is the largest realistic request
 * several times over, and bounds what validating, hashing (the decision cache key) and converting
 * it for CEL cost. Documented in docs/api.md.
 */
export const DECISION_REQUEST_LIMITS: InputLimits = {
  maxDepth: 8,
  maxStringLength: 4096,
  maxArrayItems: 100,
  maxObjectMembers: 100,
  maxValues: 2000,
};

const ID = { type: 'string', minLength: 1, maxLength: 512 } as const;
const NAMES = {
  type: 'array',
  maxItems: DECISION_REQUEST_LIMITS.maxArrayItems,
  items: { type: 'string', maxLength: 256 },
} as const;
const ATTRIBUTES = { type: 'object', maxProperties: DECISION_REQUEST_LIMITS.maxObjectMembers } as const;

/** JSON Schema of the native decision request body. */
export const DECISION_REQUEST_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['action', 'resource'],
  properties: {
    subject: {
      type: 'object',
      additionalProperties: false,
      required: ['id'],
      properties: {
        type: { type: 'string', maxLength: 64 },
        id: ID,
        roles: NAMES,
        groups: NAMES,
        attributes: ATTRIBUTES,
      },
    },
    action: { type: 'string', minLength: 1, maxLength: 256 },
    resource: {
      type: 'object',
      additionalProperties: false,
      required: ['id'],
      properties: { type: { type: 'string', maxLength: 64 }, id: ID, attributes: ATTRIBUTES },
    },
    context: ATTRIBUTES,
    // A revision is a safe integer; beyond it a number cannot even name one exactly.
    min_revision: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    // Checked as RFC 3339 by the time-travel path (time-travel/), which answers 400 at /at.
    at: {
      type: 'string',
      maxLength: 64,
      description:
        'Decide as of this RFC 3339 instant, on the policies and directories of then (roles auditor or infra_admin; subject required)',
    },
  },
} as const;

const validate = new Ajv({ allErrors: true, strict: true }).compile(DECISION_REQUEST_SCHEMA);

/**
 * The problems of a decision request (or of the part of another body that becomes one, under
 * `base`) against DECISION_REQUEST_LIMITS, at any depth: what the AuthZEN and gRPC paths check.
 */
export function decisionRequestLimitErrors(value: unknown, base = ''): InputProblem[] {
  return inputProblems(value, base, DECISION_REQUEST_LIMITS);
}

/** Field errors of a decision request, each with the JSON pointer of the offending field; empty when valid. */
export function decisionRequestErrors(body: unknown): InputProblem[] {
  // Bounds first: ajv then only sees a document known to be small.
  const bounds = decisionRequestLimitErrors(body);
  if (bounds.length > 0) return bounds;
  return schemaProblems(validate, body);
}
