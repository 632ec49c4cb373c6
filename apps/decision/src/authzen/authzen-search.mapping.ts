import Ajv from 'ajv';
import { FieldError, JsonSchema, schemaFieldErrors } from '@zt/http';

/**
 * Request and response shapes of the AuthZEN 1.0 Search APIs (§8): subject, resource and action
 * search. Bounds are those of an evaluation (authzen.mapping.ts), so a search asks nothing an
 * evaluation could not.
 */

/** What a search may ask for: the subjects, resources or actions allowed. */
export type SearchKind = 'subject' | 'resource' | 'action';

/** Largest page a caller may ask for (`page.limit`). */
export const SEARCH_MAX_LIMIT = 1000;
/** The page size when the request names none. */
export const SEARCH_DEFAULT_LIMIT = 100;

const TYPE = { type: 'string', minLength: 1, maxLength: 64, description: 'The entity type' } as const;
const ID = { type: 'string', minLength: 1, maxLength: 512, description: 'The entity id' } as const;
const PROPERTIES = {
  type: 'object',
  maxProperties: 100,
  additionalProperties: true,
  description: 'Attributes of the entity (subject: `roles` and `groups` are memberships)',
} as const;
const ENTITY = {
  type: 'object',
  required: ['type', 'id'],
  properties: { type: TYPE, id: ID, properties: PROPERTIES },
} as const;
/** The entity searched for: a type; an id, if sent, is ignored (AuthZEN §8). */
const SEARCHED = {
  type: 'object',
  required: ['type'],
  properties: {
    type: TYPE,
    id: { ...ID, description: 'Ignored: the search fills it' },
    properties: { ...PROPERTIES, description: 'Ignored: each candidate is evaluated with its own' },
  },
} as const;
const ACTION = {
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 256, description: 'The action name' },
    properties: {
      type: 'object',
      maxProperties: 100,
      additionalProperties: true,
      description: 'Joins the context under `action`',
    },
  },
} as const;
const CONTEXT = {
  type: 'object',
  maxProperties: 100,
  additionalProperties: true,
  description: 'Request context (device, ip, time…), as in an evaluation',
} as const;
const PAGE = {
  type: 'object',
  description: 'Paging (AuthZEN §8.2): the token of the previous page, and the page size',
  properties: {
    token: {
      type: 'string',
      maxLength: 1024,
      description: 'The `next_token` of the previous page; every other member must be as then',
    },
    limit: {
      type: 'integer',
      minimum: 0,
      maximum: SEARCH_MAX_LIMIT,
      description: `Most results in one page (default ${SEARCH_DEFAULT_LIMIT})`,
    },
    properties: {
      type: 'object',
      maxProperties: 10,
      additionalProperties: true,
      description: 'Accepted; no paging properties are defined yet',
    },
  },
} as const;

const AT = {
  type: 'string',
  maxLength: 64,
  description:
    'Search as of this RFC 3339 instant, on the policies and directories of then (roles auditor or infra_admin; time-travel/)',
} as const;

/** JSON Schema of `POST /access/v1/search/subject`. */
export const SUBJECT_SEARCH_SCHEMA = {
  type: 'object',
  required: ['subject', 'action', 'resource'],
  properties: { subject: SEARCHED, action: ACTION, resource: ENTITY, context: CONTEXT, page: PAGE, at: AT },
} as const;

/** JSON Schema of `POST /access/v1/search/resource`. */
export const RESOURCE_SEARCH_SCHEMA = {
  type: 'object',
  required: ['subject', 'action', 'resource'],
  properties: { subject: ENTITY, action: ACTION, resource: SEARCHED, context: CONTEXT, page: PAGE, at: AT },
} as const;

/** JSON Schema of `POST /access/v1/search/action` (no action: that is what is searched). */
export const ACTION_SEARCH_SCHEMA = {
  type: 'object',
  required: ['subject', 'resource'],
  properties: { subject: ENTITY, resource: ENTITY, context: CONTEXT, page: PAGE, at: AT },
} as const;

const ENTITY_RESULT = {
  type: 'object',
  required: ['type', 'id'],
  properties: { type: { type: 'string' }, id: { type: 'string' } },
};

/** JSON Schema of a search response; `results` holds entities (subject, resource) or actions. */
export function searchResponseSchema(kind: SearchKind): JsonSchema {
  return {
    type: 'object',
    required: ['page', 'context', 'results'],
    properties: {
      page: {
        type: 'object',
        required: ['next_token', 'count'],
        properties: {
          next_token: { type: 'string', description: 'Empty on the last page; else send it as `page.token`' },
          count: { type: 'integer', description: 'Results in this page' },
        },
      },
      context: {
        type: 'object',
        required: ['revision', 'evaluated'],
        properties: {
          revision: { type: 'integer', description: 'The policy revision the page was decided on' },
          evaluated: { type: 'integer', description: 'Candidates evaluated for this page' },
          as_of: {
            type: 'object',
            description: 'Only with at: the past revision searched, and what entered the decisions',
            required: ['revision', 'committed_at', 'at', 'device_facts'],
            properties: {
              revision: { type: 'integer' },
              committed_at: { type: ['string', 'null'], format: 'date-time' },
              at: { type: 'string', format: 'date-time' },
              device_facts: { const: 'request_only' },
            },
          },
        },
      },
      results: {
        type: 'array',
        items:
          kind === 'action'
            ? { type: 'object', required: ['name'], properties: { name: { type: 'string' } } }
            : ENTITY_RESULT,
      },
    },
  };
}

const ajv = new Ajv({ allErrors: true, strict: false });
const CHECKS: Record<SearchKind, ReturnType<typeof ajv.compile>> = {
  subject: ajv.compile(SUBJECT_SEARCH_SCHEMA),
  resource: ajv.compile(RESOURCE_SEARCH_SCHEMA),
  action: ajv.compile(ACTION_SEARCH_SCHEMA),
};

/** Field errors of a search request; empty when valid. */
export const searchErrors = (kind: SearchKind, body: unknown): FieldError[] =>
  schemaFieldErrors(CHECKS[kind], body);

interface Entity {
  type: string;
  id: string;
  properties?: Record<string, unknown>;
}

/** A search request, valid against the schema of its kind (the searched part has no id). */
export interface SearchRequest {
  subject: Entity | { type: string; id?: string };
  action?: { name: string; properties?: Record<string, unknown> };
  resource: Entity | { type: string; id?: string };
  context?: Record<string, unknown>;
  page?: { token?: string; limit?: number; properties?: Record<string, unknown> };
  /** Search as of this instant (time travel). */
  at?: string;
}

/** A search answer (AuthZEN §8.3): `page` first, as the spec recommends. */
export interface SearchResponse {
  page: { next_token: string; count: number };
  context: { revision: number; evaluated: number };
  results: ({ type: string; id: string } | { name: string })[];
}
