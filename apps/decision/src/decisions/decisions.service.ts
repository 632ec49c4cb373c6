import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@zt/auth';
import { APP_CONFIG, AppConfig } from '@zt/config';
import type { DirectoryPrincipal } from '@zt/contracts';
import { ProblemError, validationProblem } from '@zt/http';
import type { DecisionRequest, DecisionResult } from '@zt/policy-engine';
import { DecisionLogPublisher } from '../decision-log/decision-log.publisher';
import type { DecisionCall } from './decision-call';
import { DecisionCache, DecisionKey } from './decision-cache';
import { DecisionMetrics } from './decision-metrics';
import { RateLimiter } from './rate-limiter';
import {
  applyRestriction,
  deviceRestriction,
  requestDeviceId,
  withDeviceFacts,
} from '../device-state/device-facts';
import { DeviceStateStore } from '../device-state/device-state.store';
import { PolicyState } from '../policy-state/policy-state';
import { decisionRequestErrors } from './decision-request.schema';

/** The native decision answer: the engine's explained result plus id and revision. */
export type DecisionResponse = DecisionResult & { decision_id: string; revision: number };

/** A request as callers send it: the subject may be left to the token. */
export type DecisionBody = Omit<DecisionRequest, 'subject'> & { subject?: DecisionRequest['subject'] };

/**
 * Completes a request with what the caller's token says when the request leaves it out: the
 * subject (sub, roles, groups), the device posture and the authentication methods.
 */
export function withTokenFacts(request: DecisionBody, principal: Principal): DecisionRequest {
  const context = { ...(request.context ?? {}) };
  if (!request.subject) {
    const device = (context.device ?? {}) as Record<string, unknown>;
    if (principal.devicePosture !== undefined && device.posture === undefined) {
      context.device = { ...device, posture: principal.devicePosture };
    }
    context.amr ??= principal.amr;
  }
  // Built member by member: V8 (Node 20) copies `{ ...request, subject }` slowly when the spread
  // adds a member the source lacks, and this runs on every decision.
  return {
    subject: request.subject ?? {
      type: 'user',
      id: principal.sub,
      roles: principal.roles,
      groups: principal.groups,
    },
    action: request.action,
    resource: request.resource,
    context,
  };
}

/**
 * Adds what the principal directory knows about the subject: its roles and groups join the
 * request's, its attributes fill in what the request does not say. The directory can only add
 * memberships; a request cannot remove one the directory holds.
 */
export function withDirectoryFacts(
  request: DecisionRequest,
  directory: ReadonlyMap<string, DirectoryPrincipal>,
): DecisionRequest {
  const known = directory.get(request.subject.id);
  if (!known) return request;
  const { subject } = request;
  return {
    ...request,
    subject: {
      ...subject,
      type: subject.type ?? known.type,
      roles: [...new Set([...(subject.roles ?? []), ...known.roles])],
      groups: [...new Set([...(subject.groups ?? []), ...known.groups])],
      attributes: { ...known.attributes, ...(subject.attributes ?? {}) },
    },
  };
}

/** The native answer, member by member (see {@link withTokenFacts} on why not a spread). */
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
  ) {}

  /** Validates a native request body, then decides it. */
  decide(body: unknown, principal: Principal, call: DecisionCall = {}): Promise<DecisionResponse> {
    const errors = decisionRequestErrors(body);
    if (errors.length > 0) throw validationProblem(errors);
    const { min_revision: minRevision, ...request } = body as DecisionBody & { min_revision?: number };
    return this.decideRequest(request, principal, { ...call, minRevision: call.minRevision ?? minRevision });
  }

  /**
   * Decides an already validated request (native, AuthZEN or gRPC), and logs it. The caller's
   * rate is checked; a caller asking for a newer revision than this replica has waits briefly,
   * else gets 503. The device's stored posture and risk join the request; a device that device
   * intelligence restricts gets at most the configured restriction, whatever the policies say.
   */
  async decideRequest(
    body: DecisionBody,
    principal: Principal,
    call: DecisionCall = {},
  ): Promise<DecisionResponse> {
    await this.limiter.check(principal.sub);
    if (call.minRevision !== undefined) await this.awaitRevision(call.minRevision);
    const started = performance.now();
    const withSubject = withDirectoryFacts(withTokenFacts(body, principal), this.state.directory);
    const deviceId = requestDeviceId(withSubject);
    const device = deviceId === undefined ? undefined : await this.devices.get(deviceId);
    const now = new Date();
    const request = withDeviceFacts(withSubject, device, now);
    const key = new DecisionKey(request, device, now);
    const asked = this.state.revision;
    const cached = await this.cache.get(key, asked);
    // Read after the last await: the revision answered is the one the result was decided on, and
    // a cached decision of a revision that moved on meanwhile is not served.
    const revision = this.state.revision;
    const hit = asked === revision ? cached : undefined;
    const result =
      hit?.result ??
      applyRestriction(
        this.state.policies.evaluate(request),
        deviceRestriction(request, device, this.config.DEVICE_RISK_RESTRICTION, now),
      );
    if (!hit) this.cache.set(key, revision, result);
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
    });
    // Only a full log buffer under the `block` policy makes the decision wait.
    if (logged) await logged;
    return responseOf(result, decisionId, revision);
  }

  /** Read-your-writes: waits up to MIN_REVISION_WAIT_MS for a revision, else 503 with Retry-After. */
  private async awaitRevision(minRevision: number): Promise<void> {
    if (this.state.revision >= minRevision) return;
    if (await this.state.waitForRevision(minRevision, this.config.MIN_REVISION_WAIT_MS)) return;
    throw new ProblemError(
      503,
      'NOT_READY',
      `This replica is at policy revision ${this.state.revision}; revision ${minRevision} was asked for.`,
      { headers: { 'retry-after': '1' }, revision: this.state.revision, min_revision: minRevision },
    );
  }
}
