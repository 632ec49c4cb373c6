import { JsonSchema, problem } from '@zt/http';

/** A resource of the directory as the API shows it. */
export const RESOURCE: JsonSchema = {
  type: 'object',
  required: ['type', 'id', 'properties', 'version', 'revision'],
  properties: {
    type: { type: 'string', description: 'The resource type (AuthZEN resource.type)' },
    id: { type: 'string', description: 'The resource id, unique within its type' },
    properties: {
      type: 'object',
      additionalProperties: true,
      description: 'What the organisation knows about the resource',
    },
    version: { type: 'integer', description: 'How many times this resource was written' },
    revision: { type: 'integer', description: 'The policy set revision of its last change' },
  },
};

export const REVISION_HEADER = { 'zt-policy-revision': 'The policy set revision after this change' };
export const INVALID_RESOURCE = problem('Invalid input; `errors` has a JSON pointer per field');
export const NO_RESOURCE = problem('No such resource');
