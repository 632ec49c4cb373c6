import { decisionRequestLimitErrors } from '@zt/contracts';
import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@zt/auth';
import { APP_CONFIG, AppConfig } from '@zt/config';
import { ProblemError, validationProblem } from '@zt/http';
import type { SearchQuery } from '@zt/policy-engine';
import { Counter, Registry } from 'prom-client';
import type { DecisionCall } from '../decisions/decision-call';
import { RateLimiter } from '../decisions/rate-limiter';
import { assertMayAskAbout, PEP_ROLE } from '../decisions/trust-model';
import { PolicyState } from '../policy-state/policy-state';
import { toDecisionBody } from './authzen.mapping';
import { actionRuns, resourceRuns, subjectRuns } from './authzen-search.candidates';
import { SearchDirectory } from './authzen-search.directory';
import { SearchEvaluator } from './authzen-search.evaluator';
import {
  SEARCH_DEFAULT_LIMIT,
  searchErrors,
  SearchKind,
  SearchRequest,
  SearchResponse,
} from './authzen-search.mapping';
import { SortedRun, SortedUnion } from './authzen-search.merge';
import { decodePageToken, encodePageToken, requestDigest } from './authzen-search.page';

/**
 * Most candidates one page evaluates, whatever its limit: the work of one request is bounded
 * (about a millisecond per hundred candidates on the engine; docs/benchmarks.md). A page that
 * reaches it stops early, with a next_token, possibly with fewer results than its limit.
 */
export const SEARCH_MAX_CANDIDATES = 1000;
/**
 * Most time one page spends evaluating, checked every {@link TIME_CHECK_EVERY} candidates: a
 * candidate under a costly CEL condition takes tens of microseconds, and a page must not hold the
 * event loop (every decision of this replica waits behind it) for much longer than a slow
 * evaluation would. The page then stops early, as at the candidate budget.
 */
export const SEARCH_PAGE_TIME_MS = 20;
const TIME_CHECK_EVERY = 32;
/** Candidates that cost one decision call of the caller's rate limit (see {@link searchCost}). */
export const CANDIDATES_PER_CALL = 100;

/**
 * What a search page is charged against RATE_LIMIT_PER_SECOND, before it runs: its candidate
 * budget in decision calls (an evaluation without HTTP, log or cache costs about a hundredth of
 * a call), at most the limit itself so that a search always fits an empty window.
 */
export function searchCost(limitPerSecond: number): number {
  const cost = Math.ceil(SEARCH_MAX_CANDIDATES / CANDIDATES_PER_CALL);
  return limitPerSecond > 0 ? Math.min(cost, limitPerSecond) : cost;
}

type Candidate = (
  id: string,
) => { body: Parameters<typeof toDecisionBody>[0]; result: SearchResponse['results'][number] } | undefined;

/**
 * The AuthZEN 1.0 Search APIs (§8): which subjects, resources of a type, or actions the policies
 * allow. Candidates come from the directories (subjects, resources) and from what policies name
 * (actions), narrowed through the engine's index to those an enforced allow or require_mfa
 * policy can cover; each is then decided in full, as an evaluation would be, and only `allow`
 * is a result. Pages resume after the last candidate examined (sorted by id or name).
 */
@Injectable()
export class AuthzenSearchService {
  private readonly directory: SearchDirectory;
  private readonly searches: Counter<'kind'>;
  private readonly evaluated: Counter<'kind'>;

  constructor(
    private readonly state: PolicyState,
    private readonly evaluator: SearchEvaluator,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Registry) metrics: Registry,
  ) {
    this.directory = new SearchDirectory(state.directory, state.resources);
    this.searches = new Counter({
      name: 'zt_search_requests_total',
      help: 'AuthZEN search pages answered, by what was searched.',
      labelNames: ['kind'],
      registers: [metrics],
    });
    this.evaluated = new Counter({
      name: 'zt_search_candidates_evaluated_total',
      help: 'Candidates AuthZEN searches decided, by what was searched.',
      labelNames: ['kind'],
      registers: [metrics],
    });
  }

  /** One page of a search; 400 on an invalid request or token, 403 when the caller may not ask. */
  async search(
    kind: SearchKind,
    body: unknown,
    principal: Principal,
    call: DecisionCall = {},
  ): Promise<SearchResponse> {
    // The decision request limits first: the schema then only sees a document known to be small.
    const bounds = decisionRequestLimitErrors(body);
    if (bounds.length > 0) throw validationProblem(bounds);
    const errors = searchErrors(kind, body);
    if (errors.length > 0) throw validationProblem(errors);
    const request = body as SearchRequest;
    this.assertMaySearch(kind, request, principal);
    const digest = requestDigest(kind, request);
    const after = request.page?.token ? decodePageToken(request.page.token, digest) : undefined;
    const limit = request.page?.limit ?? SEARCH_DEFAULT_LIMIT;
    return this.limiter.chargeBatch(
      principal.sub,
      searchCost(this.config.RATE_LIMIT_PER_SECOND),
      '/page',
      async () => {
        await this.evaluator.awaitRevision(call.minRevision);
        return this.page(kind, request, principal, { after, limit, digest });
      },
    );
  }

  /**
   * Who may search: a subject search lists other subjects, so it needs the pep role; a resource
   * or action search is about its subject, held to the evaluation's rule (itself, or pep).
   */
  private assertMaySearch(kind: SearchKind, request: SearchRequest, principal: Principal): void {
    if (kind !== 'subject') {
      assertMayAskAbout({ subject: { id: request.subject.id as string } }, principal);
      return;
    }
    if (principal.roles.includes(PEP_ROLE)) return;
    throw new ProblemError(403, 'ROLE_REQUIRED', `Requires the role ${PEP_ROLE} to search for subjects.`, {
      requiredRoles: [PEP_ROLE],
      errors: [{ pointer: '/subject', detail: `listing subjects requires the role ${PEP_ROLE}` }],
    });
  }

  private page(
    kind: SearchKind,
    request: SearchRequest,
    principal: Principal,
    paging: { after: string | undefined; limit: number; digest: string },
  ): SearchResponse {
    // One revision for the whole page: nothing below awaits, so the state cannot move under it.
    const revision = this.state.revision;
    const now = new Date();
    const { runs, candidate } = this.plan(kind, request, principal, revision);
    const walk = new SortedUnion(runs, paging.after);
    const results: SearchResponse['results'] = [];
    let evaluated = 0;
    let last = paging.after;
    const deadline = performance.now() + SEARCH_PAGE_TIME_MS;
    while (results.length < paging.limit && evaluated < SEARCH_MAX_CANDIDATES) {
      const id = walk.next();
      if (id === undefined) break;
      last = id;
      const entry = candidate(id);
      if (!entry) continue;
      evaluated++;
      const decision = this.evaluator.decide(toDecisionBody(entry.body), principal, now);
      if (decision === 'allow') results.push(entry.result);
      if (evaluated % TIME_CHECK_EVERY === 0 && performance.now() > deadline) break;
    }
    this.searches.inc({ kind });
    this.evaluated.inc({ kind }, evaluated);
    // A page of limit 0 examined nothing: its token starts before every id (none is empty).
    return {
      page: {
        next_token: walk.more ? encodePageToken(paging.digest, last ?? '') : '',
        count: results.length,
      },
      context: { revision, evaluated },
      results,
    };
  }

  /** The sorted runs of candidates a search walks, and how a candidate becomes a request. */
  private plan(
    kind: SearchKind,
    request: SearchRequest,
    principal: Principal,
    revision: number,
  ): { runs: SortedRun[]; candidate: Candidate } {
    const { context } = request;
    // The subject as the evaluation will see it (token and directory memberships), for the index.
    const subjectFacts = (subject: { type: string; id: string; properties?: Record<string, unknown> }) =>
      this.evaluator.subjectOf(
        toDecisionBody({ subject, action: { name: '' }, resource: { type: '', id: '' } }),
        principal,
      );
    switch (kind) {
      case 'subject': {
        const action = request.action as NonNullable<SearchRequest['action']>;
        const resource = request.resource as { type: string; id: string };
        const type = request.subject.type;
        const query: SearchQuery = { open: 'subject', action: action.name, resource };
        const runs = subjectRuns(this.state.policies.searchTargets(query), this.directory, type, revision);
        return {
          runs,
          // Subjects come from the directory, and only of the type asked for (role and group runs mix types).
          candidate: (id) =>
            this.state.directory.get(id)?.type === type
              ? { body: { subject: { type, id }, action, resource, context }, result: { type, id } }
              : undefined,
        };
      }
      case 'resource': {
        const action = request.action as NonNullable<SearchRequest['action']>;
        const subject = request.subject as { type: string; id: string; properties?: Record<string, unknown> };
        const type = request.resource.type;
        const query: SearchQuery = {
          open: 'resource',
          subject: subjectFacts(subject),
          action: action.name,
          resourceType: type,
        };
        const runs = resourceRuns(this.state.policies.searchTargets(query), this.directory, type, revision);
        return {
          runs,
          candidate: (id) => ({
            body: { subject, action, resource: { type, id }, context },
            result: { type, id },
          }),
        };
      }
      case 'action': {
        const subject = request.subject as { type: string; id: string; properties?: Record<string, unknown> };
        const resource = request.resource as { type: string; id: string };
        const query: SearchQuery = {
          open: 'action',
          subject: subjectFacts(subject),
          resource,
        };
        const runs = actionRuns(this.state.policies.searchTargets(query), this.state.policies.actionNames());
        return {
          runs,
          candidate: (name) => ({ body: { subject, action: { name }, resource, context }, result: { name } }),
        };
      }
    }
  }
}
