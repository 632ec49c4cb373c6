import { Controller } from '@nestjs/common';
import type { Principal } from '@zt/auth';
import { ApiOperationSpec, ApiOperation, DirectRoute, JsonSchema, problem, RATE_LIMITED } from '@zt/http';
import type { FastifyRequest } from 'fastify';
import { decisionCallOf } from '../decisions/decision-call';
import {
  ACTION_SEARCH_SCHEMA,
  RESOURCE_SEARCH_SCHEMA,
  SearchKind,
  SearchResponse,
  searchResponseSchema,
  SUBJECT_SEARCH_SCHEMA,
} from './authzen-search.mapping';
import { AuthzenSearchService } from './authzen-search.service';
import { asksAboutThePast } from '../time-travel/time-travel-access';
import { TimeTravelService } from '../time-travel/time-travel.service';

function operation(kind: SearchKind, summary: string, schema: object, forbidden: string): ApiOperationSpec {
  return {
    summary,
    tag: 'authzen',
    headers: { 'zt-min-revision': 'Answer from this policy revision or a newer one (read-your-writes)' },
    body: { schema: schema as JsonSchema },
    responses: {
      200: { description: 'One page of what the policies allow', schema: searchResponseSchema(kind) },
      400: problem('Invalid request, or a page token of another request; pointers in errors'),
      401: problem('No valid bearer token'),
      403: problem(`${forbidden}; or at without the role auditor or infra_admin`),
      422: problem('HISTORY_NOT_AVAILABLE: at is older than the policy history kept'),
      429: RATE_LIMITED,
      503: problem(
        'This replica has not reached the revision asked for (Zt-Min-Revision), or (with at) the past state cannot be read now; Retry-After',
      ),
    },
  };
}

const ABOUT_ANOTHER = 'The subject is not the caller, and the caller lacks the pep role';

/**
 * The OpenID AuthZEN 1.0 Search APIs (§8). Direct routes, like the evaluations: enforcement
 * points call them on the request path (which of these records may this user see?).
 */
@Controller()
export class AuthzenSearchController {
  constructor(
    private readonly search: AuthzenSearchService,
    private readonly timeTravel: TimeTravelService,
  ) {}

  /** A search now, or (with `at`) as of a past time: one check on the live path. */
  private answer(kind: SearchKind, request: FastifyRequest, principal: Principal): Promise<SearchResponse> {
    if (asksAboutThePast(request.body)) return this.timeTravel.search(kind, request.body, principal);
    return this.search.search(kind, request.body, principal, decisionCallOf(request));
  }

  @ApiOperation(
    operation('subject', 'AuthZEN subject search', SUBJECT_SEARCH_SCHEMA, 'The caller lacks the pep role'),
  )
  @DirectRoute('POST', 'access/v1/search/subject')
  subjects(request: FastifyRequest, principal: Principal): Promise<SearchResponse> {
    return this.answer('subject', request, principal);
  }

  @ApiOperation(operation('resource', 'AuthZEN resource search', RESOURCE_SEARCH_SCHEMA, ABOUT_ANOTHER))
  @DirectRoute('POST', 'access/v1/search/resource')
  resources(request: FastifyRequest, principal: Principal): Promise<SearchResponse> {
    return this.answer('resource', request, principal);
  }

  @ApiOperation(operation('action', 'AuthZEN action search', ACTION_SEARCH_SCHEMA, ABOUT_ANOTHER))
  @DirectRoute('POST', 'access/v1/search/action')
  actions(request: FastifyRequest, principal: Principal): Promise<SearchResponse> {
    return this.answer('action', request, principal);
  }
}
