import { decisionRequestErrors } from '@zt/contracts';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@zt/auth';
import { APP_CONFIG, AppConfig } from '@zt/config';
import { validationProblem } from '@zt/http';
import type { DecisionResult } from '@zt/policy-engine';
import { DecisionLogPublisher } from '../decision-log/decision-log.publisher';
import type { DecisionCall } from './decision-call';
import { DecisionCache, DecisionKey } from './decision-cache';
import { DecisionMetrics } from './decision-metrics';
import { RateLimiter } from './rate-limiter';
import { applyRestriction } from '../device-state/device-facts';
import { DeviceStateStore } from '../device-state/device-state.store';
import { PolicyState } from '../policy-state/policy-state';
import { awaitRevisionOrRefuse, decisionInputsOf } from './decision-inputs';
import { assertMayAskAbout, DecisionBody } from './trust-model';
import { TimeTravelService } from '../time-travel/time-travel.service';

/** The native decision answer: the engine's explained result plus id and revision. */
export type DecisionResponse = DecisionResult & { decision_id: string; revision: number };

export type { DecisionBody } from './trust-model';

/** The native body: a request, plus the revision to wait for, or a past instant (time travel). */
type NativeDecisionBody = DecisionBody & { min_revision?: number; at?: string };

/** The native answer, member by member (V8 copies a spread that adds members slowly). */
function responseOf(result: DecisionResult, decisionId: string, revision: number): DecisionResponse {
  return {
    decision: result.decision,
    decision_id: decisionId,
    revision,
    decidingPolicies: result.decidingPolicies,
    reasons: result.reasons,
    userReasons: result.userReasons,
    obligations: result.obligations,
    audit: result.audit,
    candidates: result.candidates,
  };
}

/** The policy decision point: validates, adds what is known of subject and device, evaluates, logs. */
@Injectable()
export class DecisionsService {
  constructor(
    private readonly state: PolicyState,
    private readonly devices: DeviceStateStore,
    private readonly cache: DecisionCache,
    private readonly limiter: RateLimiter,
    private readonly log: DecisionLogPublisher,
    private readonly metrics: DecisionMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly timeTravel: TimeTravelService,
  ) {}

  /** Validates a native request body, then decides it. */
  decide(body: unknown, principal: Principal, call: DecisionCall = {}): Promise<DecisionResponse> {
    const errors = decisionRequestErrors(body);
    if (errors.length > 0) throw validationProblem(errors);
    const { min_revision: minRevision, at, ...request } = body as NativeDecisionBody;
    // Time travel (access review) is decided on a past state, off this path: one check here.
    if (at !== undefined) return this.timeTravel.decide(request, at, principal);
    return this.decideRequest(request, principal, { ...call, minRevision: call.minRevision ?? minRevision });
  }

  /**
   * Decides an already validated request (native, AuthZEN or gRPC), and logs it. The caller's
   * rate is checked; a caller asking for a newer revision than this replica has waits briefly,
   * else gets 503. Who may assert which facts follows the trust model (trust-model.ts): a caller
   * without the pep role may only ask about itself (else 403), and the token, the directory and
   * device intelligence outrank the request for the facts they hold. A device that device
   * intelligence restricts gets at most the configured restriction, whatever the policies and the
   * request say.
   */
  async decideRequest(
    body: DecisionBody,
    principal: Principal,
    call: DecisionCall = {},
  ): Promise<DecisionResponse> {
    assertMayAskAbout(body, principal);
    await this.limiter.check(principal.sub);
    if (call.minRevision !== undefined)
      await awaitRevisionOrRefuse(this.state, call.minRevision, this.config.MIN_REVISION_WAIT_MS);
    const started = performance.now();
    const now = new Date();
    const { request, device, unknownDevice, restriction } = decisionInputsOf(
      body,
      principal,
      this.state,
      this.devices,
      this.config.DEVICE_RISK_RESTRICTION,
      now.getTime(),
    );
    const key = new DecisionKey(request, device, now);
    const asked = this.state.revision;
    const cached = unknownDevice ? undefined : await this.cache.get(key, asked);
    // Read after the last await: the revision answered is the one the result was decided on, and
    // a cached decision of a revision that moved on meanwhile is not served.
    const revision = this.state.revision;
    const hit = asked === revision ? cached : undefined;
    const result = hit?.result ?? applyRestriction(this.state.policies.evaluate(request), restriction);
    if (!hit && !unknownDevice) this.cache.set(key, revision, result);
    const decisionId = randomUUID();
    const latencyMs = performance.now() - started;
    this.metrics.observe(result.decision, hit !== undefined, latencyMs / 1000);
    const logged = this.log.record({
      decisionId,
      requestDigest: hit?.requestDigest ?? key.requestDigest,
      decision: result.decision,
      subject: request.subject.id,
      action: request.action,
      resource: request.resource.id,
      policies: result.decidingPolicies,
      revision,
      latencyMs: Math.round(latencyMs * 1000) / 1000,
      cached: hit !== undefined,
      at: now.toISOString(),
      correlationId: call.correlationId,
      input: request,
    });
    // Only a full log buffer under the `block` policy makes the decision wait.
    if (logged) await logged;
    return responseOf(result, decisionId, revision);
  }
}
