import {
  MAX_CHANGESET_CHANGES,
  PRINCIPAL_BODY_SCHEMA,
  PRINCIPAL_ID_SCHEMA,
  RESOURCE_BODY_SCHEMA,
  RESOURCE_ID_SCHEMA,
  RESOURCE_TYPE_SCHEMA,
} from '@zt/contracts';

/** Most changes one set may carry: the set is one transaction and one burst on the policy topic. */
export const MAX_CHANGES = MAX_CHANGESET_CHANGES;
/** Longest reason, as the single writes' `zt-change-reason` header. */
export const MAX_CHANGESET_REASON = 500;

/** The kinds of object a change set writes and what it does to each. */
export type ChangeKind = 'policy' | 'principal' | 'resource';
export type ChangeOp = 'put' | 'delete';

const POLICY_ID = { type: 'string', minLength: 1, maxLength: 256 } as const;
// As `PUT /v1/zt-policy/principals/{id}` and `/resources/{type}/{id}` bound their paths.
const PRINCIPAL_ID = PRINCIPAL_ID_SCHEMA;
const RESOURCE_TYPE = RESOURCE_TYPE_SCHEMA;
const RESOURCE_ID = RESOURCE_ID_SCHEMA;

/**
 * One change's schema per `op` and `kind`. A put carries the whole new object, like the single
 * endpoints' PUT; a delete names its target. The policy document is checked further by the
 * policy engine (the same check as `POST /policies`), principals and resources by the same
 * schemas and bounds as their own endpoints.
 */
export const CHANGE_SCHEMAS = {
  'put:policy': {
    type: 'object',
    additionalProperties: false,
    required: ['op', 'kind', 'id', 'document'],
    properties: {
      op: { const: 'put' },
      kind: { const: 'policy' },
      id: { ...POLICY_ID, description: 'The policy id; the document’s own id must be the same or absent' },
      format: {
        enum: ['zt', 'nist', 'ztna'],
        description: 'The document’s shape; detected when absent',
      },
      document: { type: 'object', description: 'The policy in any accepted shape (as POST /policies)' },
    },
  },
  'delete:policy': {
    type: 'object',
    additionalProperties: false,
    required: ['op', 'kind', 'id'],
    properties: { op: { const: 'delete' }, kind: { const: 'policy' }, id: POLICY_ID },
  },
  'put:principal': {
    type: 'object',
    additionalProperties: false,
    required: ['op', 'kind', 'id', 'principal'],
    properties: {
      op: { const: 'put' },
      kind: { const: 'principal' },
      id: PRINCIPAL_ID,
      principal: PRINCIPAL_BODY_SCHEMA,
    },
  },
  'delete:principal': {
    type: 'object',
    additionalProperties: false,
    required: ['op', 'kind', 'id'],
    properties: { op: { const: 'delete' }, kind: { const: 'principal' }, id: PRINCIPAL_ID },
  },
  'put:resource': {
    type: 'object',
    additionalProperties: false,
    required: ['op', 'kind', 'type', 'id'],
    properties: {
      op: { const: 'put' },
      kind: { const: 'resource' },
      type: RESOURCE_TYPE,
      id: RESOURCE_ID,
      properties: RESOURCE_BODY_SCHEMA.properties.properties,
    },
  },
  'delete:resource': {
    type: 'object',
    additionalProperties: false,
    required: ['op', 'kind', 'type', 'id'],
    properties: {
      op: { const: 'delete' },
      kind: { const: 'resource' },
      type: RESOURCE_TYPE,
      id: RESOURCE_ID,
    },
  },
} as const;

/** What every change has before its own schema applies: which of {@link CHANGE_SCHEMAS} to use. */
export const CHANGE_HEAD_SCHEMA = {
  type: 'object',
  required: ['op', 'kind'],
  properties: {
    op: { enum: ['put', 'delete'] },
    kind: { enum: ['policy', 'principal', 'resource'] },
  },
} as const;

/**
 * `POST /v1/zt-policy/changesets` and `changesets:validate`: every change lands in one
 * transaction at one revision, or none does. `expected_revision` is the policy set's revision
 * the set was prepared against (a `ztctl policy plan`): when the set moved since, 412.
 */
export const CHANGESET_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['changes'],
  properties: {
    expected_revision: {
      type: 'integer',
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'Refuse with 412 unless the policy set is at exactly this revision',
    },
    reason: {
      type: 'string',
      maxLength: MAX_CHANGESET_REASON,
      description: 'Why; recorded in every version and change event of the set',
    },
    changes: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_CHANGES,
      description: 'At most one change per target (policy id, principal id, resource type and id)',
      items: { oneOf: Object.values(CHANGE_SCHEMAS) },
    },
  },
} as const;

/** One change's outcome: `unchanged` when a put carried what was already stored (no new version). */
export const CHANGE_RESULT_SCHEMA = {
  type: 'object',
  required: ['kind', 'id', 'op', 'result'],
  properties: {
    kind: { enum: ['policy', 'principal', 'resource'] },
    type: { type: 'string', description: 'The resource type (resources only)' },
    id: { type: 'string' },
    op: { enum: ['put', 'delete'] },
    result: { enum: ['created', 'updated', 'deleted', 'unchanged'] },
    version: {
      type: 'integer',
      description: 'The target’s version after the set; absent for a removed principal or resource',
    },
  },
} as const;

/** The answer of `POST /changesets` (and, with `valid: true` and no writes, of `:validate`). */
export const CHANGESET_RESULT_SCHEMA = {
  type: 'object',
  required: ['revision', 'changes'],
  properties: {
    revision: {
      type: 'integer',
      description: 'The revision the set produced (the current one when every change was unchanged)',
    },
    changeset_id: { type: 'string', description: 'Carried by every change event of the set' },
    changes: { type: 'array', items: CHANGE_RESULT_SCHEMA },
  },
} as const;
