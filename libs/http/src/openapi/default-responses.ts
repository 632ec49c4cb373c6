import { ApiResponseSpec, problem } from './api-operation';

/** What the document builder knows of a route when it adds the answers every route may give. */
export interface RouteShape {
  /** OpenAPI path: `/v1/zt-policy/policies/{id}`. */
  path: string;
  isPublic: boolean;
  /** Admission control is on: any route but the health endpoints may be refused when overloaded. */
  admission: boolean;
  hasBody: boolean;
  hasQuery: boolean;
  hasPathParameters: boolean;
  declared: Record<number, ApiResponseSpec>;
}

const OVERLOADED = 'Past capacity (OVERLOADED): refused before anything was done; Retry-After';
const NEVER_REFUSED = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * The answers a route may give whatever its handler does, added unless the route declares its own
 * (a route's own words are more precise): 400 for a body, query or path that is validated, 401/403 where a token is
 * needed, 404 where an id is read, 413/415 where a body is read, 503 when admission control may
 * refuse, 500, and `4XX` for the refusals of the HTTP layer itself (408, 414, 431). Every one is
 * problem+json.
 */
export function defaultResponses(route: RouteShape): Record<string, ApiResponseSpec> {
  const answers: Record<string, ApiResponseSpec> = {};
  const add = (status: number, answer: ApiResponseSpec) => {
    if (!route.declared[status]) answers[status] = answer;
  };
  // Headers alone do not make a 400: forward-auth reads only headers and refuses with 401/403
  // (nginx turns any other status of an auth request into a 500).
  if (route.hasBody || route.hasQuery || route.hasPathParameters) {
    add(400, problem('Invalid input; `errors` has a JSON pointer per field'));
  }
  if (!route.isPublic) {
    add(401, {
      ...problem('Missing or invalid bearer token'),
      headers: { 'www-authenticate': 'The Bearer challenge (RFC 6750)' },
    });
    add(403, problem('A role or multi-factor authentication is missing'));
  }
  if (route.hasPathParameters) add(404, problem('Nothing exists at this path'));
  if (route.hasBody) {
    add(413, problem('The body is larger than this service accepts (MAX_BODY_BYTES)'));
    add(415, problem('The body is not application/json'));
  }
  add(500, problem('Unexpected error; see the service log by correlation id'));
  if (route.admission && !NEVER_REFUSED.has(route.path)) {
    // Replaces a declared 503: both meanings in one answer, since a status has one entry.
    const declared = route.declared[503];
    answers[503] = {
      ...problem(declared ? `${declared.description}; or: ${OVERLOADED}` : OVERLOADED),
      headers: { 'retry-after': 'Seconds to wait before retrying' },
    };
  }
  answers['4XX'] = problem(
    'Any other refusal of the request by the HTTP layer (408 too slow, 414 URI too long, 431 headers too large)',
  );
  return answers;
}
