import { decisionRequestLimitErrors } from '@zt/contracts';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@zt/auth';
import { APP_CONFIG, AppConfig } from '@zt/config';
import type { SnapshotAsOf } from '@zt/contracts';
import { validationProblem } from '@zt/http';
import type { DecisionResult } from '@zt/policy-engine';
import { searchErrors, SearchKind, SearchResponse } from '../authzen/authzen-search.mapping';
import { searchCost } from '../authzen/authzen-search.service';
import { decisionInputsOf } from '../decisions/decision-inputs';
import { RateLimiter } from '../decisions/rate-limiter';
import type { DecisionBody } from '../decisions/trust-model';
import { HistoricalStates } from './historical-states';
import { assertMayTimeTravel, HISTORICAL_CALLER, instantOf } from './time-travel-access';

/**
 * What a historical answer says of itself: the revision it was decided on and when that was
 * committed, the instant asked about, and that device facts are only the request's own (device
 * intelligence keeps no history).
 */
export type AsOf = SnapshotAsOf & { at: string; device_facts: 'request_only' };

/** A native decision as of a past instant. */
export type HistoricalDecision = DecisionResult & { decision_id: string; revision: number; as_of: AsOf };

/** An AuthZEN search page as of a past instant. */
export type HistoricalSearchPage = SearchResponse & { context: SearchResponse['context'] & { as_of: AsOf } };

/**
 * The context a past question is decided in: its clock is the instant asked about (time-of-day
 * and date conditions read `context.time`), unless the request names a time itself.
 */
export function contextAt(
  context: Record<string, unknown> | undefined,
  instant: Date,
): Record<string, unknown> {
  return context?.time === undefined ? { ...context, time: instant.toISOString() } : context;
}

function asOfAnswer(asOf: SnapshotAsOf, at: Date): AsOf {
  return {
    revision: asOf.revision,
    committed_at: asOf.committed_at,
    at: at.toISOString(),
    device_facts: 'request_only',
  };
}

/**
 * Decisions and searches as of a past time, for access review (roles auditor or infra_admin):
 * evaluated on the policies and directories of the last revision committed by then, compiled
 * from policy-admin's history (HistoricalStates). The request is taken as sent, joined by the
 * directories of then; no token, device state or cache of today enters, and nothing is written
 * to the decision log (the answer enforces nothing). The caller's rate limit is charged as for a
 * live call.
 */
@Injectable()
export class TimeTravelService {
  constructor(
    private readonly states: HistoricalStates,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A validated native request (its `at` taken off), decided as of `at`. */
  async decide(body: DecisionBody, at: unknown, principal: Principal): Promise<HistoricalDecision> {
    assertMayTimeTravel(principal);
    const instant = instantOf(at);
    if (body.subject === undefined) {
      throw validationProblem([
        { pointer: '/subject', detail: 'is required with at: no token speaks for a subject in the past' },
      ]);
    }
    await this.limiter.check(principal.sub);
    const past = await this.states.at(instant);
    const { request } = decisionInputsOf(
      { ...body, context: contextAt(body.context, instant) },
      HISTORICAL_CALLER,
      past.state,
      past.devices,
      this.config.DEVICE_RISK_RESTRICTION,
      instant.getTime(),
    );
    const result = past.state.policies.evaluate(request);
    return {
      ...result,
      decision_id: randomUUID(),
      revision: past.asOf.revision,
      as_of: asOfAnswer(past.asOf, instant),
    };
  }

  /** One page of an AuthZEN search as of the body's `at`. */
  async search(kind: SearchKind, body: unknown, principal: Principal): Promise<HistoricalSearchPage> {
    assertMayTimeTravel(principal);
    const instant = instantOf((body as { at?: unknown }).at);
    // Checked before the past is fetched: an invalid request costs nothing more.
    const bounds = decisionRequestLimitErrors(body);
    if (bounds.length > 0) throw validationProblem(bounds);
    const errors = searchErrors(kind, body);
    if (errors.length > 0) throw validationProblem(errors);
    return this.limiter.chargeBatch(
      principal.sub,
      searchCost(this.config.RATE_LIMIT_PER_SECOND),
      '/page',
      async () => {
        const past = await this.states.at(instant);
        const request = body as { context?: Record<string, unknown> };
        const asked = { ...request, context: contextAt(request.context, instant) };
        const page = await past.search.search(kind, asked, HISTORICAL_CALLER);
        return { ...page, context: { ...page.context, as_of: asOfAnswer(past.asOf, instant) } };
      },
    );
  }
}
