import { JsonSchema, problem } from '@zt/http';
import { POLICY_DOCUMENT_SCHEMAS } from '@zt/policy-engine';

/** A policy document in any of the three accepted shapes. */
export const POLICY_DOCUMENT: JsonSchema = {
  anyOf: [POLICY_DOCUMENT_SCHEMAS.zt, POLICY_DOCUMENT_SCHEMAS.nist, POLICY_DOCUMENT_SCHEMAS.ztna],
};

export const VERSION_VIEW: JsonSchema = {
  type: 'object',
  required: ['version', 'change', 'revision', 'actor', 'reason', 'createdAt', 'changed'],
  properties: {
    version: { type: 'integer' },
    change: { enum: ['created', 'updated', 'deleted', 'restored', 'rolled_back'] },
    revision: { type: 'integer' },
    actor: { type: 'string' },
    reason: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    changed: { type: 'array', items: { type: 'string' } },
  },
};

export const SNAPSHOT: JsonSchema = {
  type: 'object',
  required: ['revision', 'policies', 'principals', 'resources'],
  properties: {
    revision: { type: 'integer' },
    as_of: {
      type: 'object',
      description: 'Only with at or revision: the past revision answered, and when it was committed',
      required: ['revision', 'committed_at'],
      properties: {
        revision: { type: 'integer' },
        committed_at: {
          type: ['string', 'null'],
          format: 'date-time',
          description: 'Null for a revision committed before commit times were kept',
        },
      },
    },
    policies: {
      type: 'array',
      items: {
        type: 'object',
        required: ['policyId', 'version', 'revision', 'format', 'document'],
        properties: {
          policyId: { type: 'string' },
          version: { type: 'integer' },
          revision: { type: 'integer' },
          format: { enum: ['zt', 'nist', 'ztna'] },
          document: { type: 'object', description: 'The policy as written, in its format' },
        },
      },
    },
    principals: {
      type: 'array',
      items: {
        type: 'object',
        required: ['principalId', 'revision', 'principal'],
        properties: {
          principalId: { type: 'string' },
          revision: { type: 'integer' },
          principal: {
            type: ['object', 'null'],
            required: ['id', 'type', 'roles', 'groups', 'attributes'],
            properties: {
              id: { type: 'string' },
              type: { enum: ['user', 'service', 'workload', 'device'] },
              roles: { type: 'array', items: { type: 'string' } },
              groups: { type: 'array', items: { type: 'string' } },
              attributes: { type: 'object' },
            },
          },
        },
      },
    },
    resources: {
      type: 'array',
      items: {
        type: 'object',
        required: ['resourceType', 'resourceId', 'revision', 'resource'],
        properties: {
          resourceType: { type: 'string' },
          resourceId: { type: 'string' },
          revision: { type: 'integer' },
          resource: {
            type: 'object',
            required: ['type', 'id', 'properties'],
            properties: {
              type: { type: 'string' },
              id: { type: 'string' },
              properties: { type: 'object' },
            },
          },
        },
      },
    },
  },
};

/** One version of a policy: its document, or the mark of a delete. */
export const VERSION_DOCUMENT: JsonSchema = {
  anyOf: [
    POLICY_DOCUMENT,
    {
      type: 'object',
      required: ['deleted'],
      properties: { deleted: { const: true } },
      additionalProperties: false,
    },
  ],
};

export const POLICY_HEADERS = {
  etag: 'The policy version, for If-Match',
  'zt-policy-revision': 'The policy set revision after this change',
};

export const REASON_HEADER = { 'zt-change-reason': 'Why (kept in the history, at most 500 characters)' };

export const INVALID = problem('Invalid input; `errors` has a JSON pointer per field');
export const NOT_FOUND = problem('No such policy');
