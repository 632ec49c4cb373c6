import { ApiResponseSpec, JsonSchema, problem } from '@zt/http';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../paging/page';

/** The paging parameters of every directory list. */
export const PAGE_QUERY: Record<string, { schema: JsonSchema; description: string }> = {
  limit: {
    schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE },
    description: `Page size (default ${DEFAULT_PAGE_SIZE})`,
  },
  cursor: { schema: { type: 'string' }, description: "From the previous page's Link header" },
};

/** A repeatable `name:value` equality filter on a JSON object's members. */
export function equalityQuery(of: string): { schema: JsonSchema; description: string } {
  return {
    schema: { type: 'array', items: { type: 'string', pattern: '^[^:]{1,128}:' }, maxItems: 10 },
    description: `name:value, repeatable (all must hold): the ${of} member "name" equals "value", compared as text (3 matches 3 and "3")`,
  };
}

export const NEXT_PAGE_HEADER = { link: '<…>; rel="next": the next page, absent on the last' };
export const INVALID_QUERY: ApiResponseSpec = problem(
  'Invalid query parameters; `errors` has a pointer per parameter',
);
export const UNAUTHENTICATED: ApiResponseSpec = problem('No valid bearer token');
export const FORBIDDEN: ApiResponseSpec = problem('The caller lacks the role this operation needs');
