import type { DevicePostureData, DeviceRiskData, DeviceSignals } from '@zt/contracts';
import { jsonObject, MAX_OBSERVATION_CLOCK_AHEAD_MS } from '@zt/contracts';
import type { DecisionRequest, DecisionResult, Effect } from '@zt/policy-engine';

/** What the decision service holds about one device: its latest posture and risk verdict. */
export interface DeviceState {
  posture?: DevicePostureData;
  risk?: DeviceRiskData;
}

/** A restriction device intelligence imposes, and why, in both audiences' words. */
export interface DeviceRestriction {
  effect: Extract<Effect, 'deny' | 'isolate'>;
  admin: string;
  user: string;
}

/**
 * The engine's posture object (seed 001's devicePosture checks, plus `compliant` for seed 000's
 * `device_posture: compliant`) from an agent's signals. An MDM's own `compliant` verdict wins;
 * otherwise compliant means managed, encrypted, EDR running and not jailbroken.
 */
export function postureFacts(signals: DeviceSignals): Record<string, unknown> {
  const managed = signals.managed === true;
  const encryptionEnabled = signals.disk_encrypted === true;
  const edrInstalled = signals.edr_running === true;
  const jailbroken = signals.jailbroken === true;
  return {
    managed,
    encryptionEnabled,
    edrInstalled,
    jailbroken,
    ...(signals.os_name && signals.os_version
      ? { osVersion: `${signals.os_name} ${signals.os_version}` }
      : {}),
    compliant: signals.compliant ?? (managed && encryptionEnabled && edrInstalled && !jailbroken),
  };
}

/** `context.device.id`: the device a request comes from, if it says. */
export function requestDeviceId(request: { context?: Record<string, unknown> }): string | undefined {
  const id = jsonObject(request.context?.device)?.id;
  return typeof id === 'string' && id.length > 0 ? id : undefined;
}

/** Whether the request's own device facts (`context.device.observed_at`) are newer than `stored`. */
function requestIsFresher(request: DecisionRequest, stored: string, now: Date): boolean {
  const claimed = jsonObject(request.context?.device)?.observed_at;
  if (typeof claimed !== 'string') return false;
  const at = Date.parse(claimed);
  return !Number.isNaN(at) && at <= now.getTime() + MAX_OBSERVATION_CLOCK_AHEAD_MS && at > Date.parse(stored);
}

/**
 * Puts the stored posture and risk of the request's device into its context, unless the request
 * carries fresher facts of its own. The risk model's 0..1 score becomes the engine's 0..100
 * `risk_score`, which `riskScore.maxScore` / `risk_score_max` conditions read.
 */
export function withDeviceFacts(
  request: DecisionRequest,
  state: DeviceState | undefined,
  now: Date,
): DecisionRequest {
  if (!state) return request;
  const context = { ...(request.context ?? {}) };
  const device = { ...(jsonObject(context.device) ?? {}) };
  if (state.posture && !requestIsFresher(request, state.posture.observedAt, now)) {
    device.posture = postureFacts(state.posture.signals);
    context.device = device;
  }
  const risk = state.risk;
  if (risk && risk.score !== null && !requestIsFresher(request, risk.observedAt, now)) {
    context.risk_score = Math.round(risk.score * 10_000) / 100;
  }
  return { ...request, context };
}

/** The restriction the stored risk verdict imposes, if any (a fresher request fact lifts it). */
export function deviceRestriction(
  request: DecisionRequest,
  state: DeviceState | undefined,
  effect: DeviceRestriction['effect'],
  now: Date,
): DeviceRestriction | undefined {
  const risk = state?.risk;
  if (!risk?.restricted || requestIsFresher(request, risk.observedAt, now)) return undefined;
  const why =
    risk.score === null || risk.failure
      ? `device ${risk.deviceId} restricted: ${risk.explanation.join('; ')}`
      : `device ${risk.deviceId} risk ${risk.score} above ${risk.threshold}; allowed at or below ${risk.threshold} (${risk.model}${risk.explanation.length > 0 ? `: ${risk.explanation.join('; ')}` : ''})`;
  return {
    effect,
    admin: `${why}; device intelligence restricts it to ${effect}`,
    user: 'Your device is considered too risky right now; contact IT or try from a healthy device.',
  };
}

const SEVERITY: Record<Effect, number> = { allow: 0, require_mfa: 1, isolate: 2, deny: 3 };

/**
 * Applies a device restriction on top of the policies' result: the stricter effect wins (the
 * engine's own combining order), and the restriction is named in the reasons either way.
 */
export function applyRestriction(
  result: DecisionResult,
  restriction: DeviceRestriction | undefined,
): DecisionResult {
  if (!restriction) return result;
  const stricter = SEVERITY[restriction.effect] > SEVERITY[result.decision];
  return {
    ...result,
    decision: stricter ? restriction.effect : result.decision,
    decidingPolicies: stricter ? [] : result.decidingPolicies,
    obligations: stricter ? [] : result.obligations,
    reasons: [restriction.admin, ...result.reasons],
    userReasons: [restriction.user, ...result.userReasons],
  };
}
