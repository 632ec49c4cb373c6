import { MAX_CHANGESET_CHANGES } from '../payloads';
import { ACTOR, COUNT, IDENTIFIER, OBJECT, REASON } from './common';

/**
 * Present on every change event of an atomic change set: the replica applies the set's `count`
 * events together, at their one revision.
 */
const CHANGESET = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'count'],
  description: 'The atomic change set this change belongs to (absent on single writes).',
  properties: {
    id: IDENTIFIER,
    count: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_CHANGESET_CHANGES,
      description: 'Change events in the set.',
    },
  },
} as const;

/**
 * `data` of `com.zt.policy.created|updated|deleted` (key: the policy id). The document is the
 * policy as its administrator wrote it; consumers validate it with the policy engine, the code
 * that validated the HTTP request.
 */
export const POLICY_CHANGE_SCHEMA = {
  type: 'object',
  title: 'PolicyChangeData',
  additionalProperties: false,
  required: ['policyId', 'change', 'version', 'revision', 'format', 'document', 'actor'],
  properties: {
    policyId: IDENTIFIER,
    change: { enum: ['created', 'updated', 'deleted', 'restored', 'rolled_back'] },
    version: { ...COUNT, description: 'The policy’s own version after the change.' },
    revision: { ...COUNT, description: 'The policy set’s revision after the change: a gap-free counter.' },
    format: { enum: ['zt', 'nist', 'ztna'] },
    document: {
      description: 'The policy document as written (seed 000, 001 or 002 shape); null once deleted.',
      oneOf: [OBJECT, { type: 'null' }],
    },
    actor: ACTOR,
    reason: REASON,
    changeset: CHANGESET,
  },
} as const;

const NAMES = {
  type: 'array',
  maxItems: 100,
  uniqueItems: true,
  items: { type: 'string', minLength: 1, maxLength: 256 },
} as const;

/** What a principal holds, bounded once for `PUT /v1/zt-policy/principals/{id}` and the bus. */
export const PRINCIPAL_PROPERTIES = {
  type: { enum: ['user', 'service', 'workload', 'device'] },
  roles: NAMES,
  groups: NAMES,
  attributes: { type: 'object', maxProperties: 100 },
} as const;

/** A principal directory entry, bounded as `PUT /v1/zt-policy/principals/{id}` bounds it. */
const PRINCIPAL = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'type', 'roles', 'groups', 'attributes'],
  properties: { id: IDENTIFIER, ...PRINCIPAL_PROPERTIES },
} as const;

/** `data` of `com.zt.principal.upserted|deleted` (key: `principal:<id>`). */
export const PRINCIPAL_CHANGE_SCHEMA = {
  type: 'object',
  title: 'PrincipalChangeData',
  additionalProperties: false,
  required: ['principalId', 'revision', 'principal', 'actor'],
  properties: {
    principalId: IDENTIFIER,
    revision: COUNT,
    principal: {
      description: 'The entry after the change; null once deleted.',
      oneOf: [PRINCIPAL, { type: 'null' }],
    },
    actor: ACTOR,
    reason: REASON,
    changeset: CHANGESET,
  },
} as const;

// As `PUT /v1/zt-policy/resources/{type}/{id}` bounds its path: no whitespace, no slash.
// Directory names travel in paths, keys and logs: no whitespace, and no slash (a resource's key
// is `type/id`). One rule for the HTTP paths, change sets, the bus and ztctl.
/** A principal id, as `PUT /v1/zt-policy/principals/{id}` takes it. */
export const PRINCIPAL_ID_SCHEMA = { type: 'string', pattern: '^[^\\s]{1,256}$' } as const;
/** A resource type, as `PUT /v1/zt-policy/resources/{type}/{id}` takes it. */
export const RESOURCE_TYPE_SCHEMA = { type: 'string', pattern: '^[^\\s/]{1,128}$' } as const;
/** A resource id, as `PUT /v1/zt-policy/resources/{type}/{id}` takes it. */
export const RESOURCE_ID_SCHEMA = { type: 'string', pattern: '^[^\\s/]{1,256}$' } as const;
const RESOURCE_TYPE = RESOURCE_TYPE_SCHEMA;
const RESOURCE_ID = RESOURCE_ID_SCHEMA;

/** A resource directory entry (`PUT /v1/zt-policy/resources/{type}/{id}`). */
const RESOURCE = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'id', 'properties'],
  properties: {
    type: RESOURCE_TYPE,
    id: RESOURCE_ID,
    properties: { type: 'object', maxProperties: 100 },
  },
} as const;

/** `data` of `com.zt.resource.upserted|deleted` (key: `resource:<type>/<id>`). */
export const RESOURCE_CHANGE_SCHEMA = {
  type: 'object',
  title: 'ResourceChangeData',
  additionalProperties: false,
  required: ['resourceType', 'resourceId', 'revision', 'resource', 'actor'],
  properties: {
    resourceType: RESOURCE_TYPE,
    resourceId: RESOURCE_ID,
    revision: COUNT,
    resource: {
      description: 'The entry after the change; null once deleted.',
      oneOf: [RESOURCE, { type: 'null' }],
    },
    actor: ACTOR,
    reason: REASON,
    changeset: CHANGESET,
  },
} as const;
