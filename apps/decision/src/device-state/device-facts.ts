import type { DevicePostureData, DeviceRiskData, DeviceSignals } from '@zt/contracts';
import { jsonObject } from '@zt/contracts';
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

/** Who vouches for a request's device facts besides device intelligence's stored state. */
export interface DeviceFactSources {
  /** The token's `device_posture` claim, when the caller asks about itself. */
  tokenPosture?: string;
  /**
   * Whether the request may add device facts nobody else vouches for: true for a pep caller
   * asking about another subject; false for a caller asking about itself, whose own claims
   * about its device can only tighten what the token and device intelligence say.
   */
  requestMayAdd: boolean;
}

// Posture flags whose true value is the worse one; every other boolean flag is better true
// (posture words and device checks are satisfied by flags set to true).
const WORSE_WHEN_TRUE = new Set(['jailbroken']);

/**
 * The stricter of a trusted posture and one a request asserts. Words cannot be compared with
 * each other or with flags, so the trusted posture stands; of two flag objects, each flag both
 * name takes the worse value, the trusted posture's other facts stand, and the request's extra
 * flags join only when it may add facts.
 */
export function stricterPosture(trusted: unknown, asserted: unknown, requestMayAdd: boolean): unknown {
  const known = jsonObject(trusted);
  const claimed = jsonObject(asserted);
  if (!known || !claimed) return trusted;
  const posture: Record<string, unknown> = { ...known };
  for (const [flag, value] of Object.entries(claimed)) {
    const current = known[flag];
    if (typeof current === 'boolean' && typeof value === 'boolean') {
      posture[flag] = WORSE_WHEN_TRUE.has(flag) ? current || value : current && value;
    } else if (current === undefined && requestMayAdd) {
      posture[flag] = value;
    }
  }
  return posture;
}

/** A fact the request asserts, held to a trusted value: `combine` picks the stricter of the two. */
function heldTo<T>(
  trusted: T | undefined,
  asserted: T | undefined,
  requestMayAdd: boolean,
  combine: (trusted: T, asserted: T) => T,
): T | undefined {
  if (trusted === undefined) return requestMayAdd ? asserted : undefined;
  return asserted === undefined ? trusted : combine(trusted, asserted);
}

/**
 * Puts the device facts the decision may rely on into the request's context: device
 * intelligence's stored posture and risk of the request's device, else the token's posture
 * claim. Facts the request asserts can only make them stricter (a worse posture flag, a higher
 * risk score), never better, however recent they claim to be: only a newer verdict from device
 * intelligence lifts a restriction. Where nothing is stored, a pep caller's facts stand and a
 * caller's own claims are dropped. The risk model's 0..1 score becomes the engine's 0..100
 * `risk_score`, which `riskScore.maxScore` / `risk_score_max` conditions read.
 */
export function withDeviceFacts(
  request: DecisionRequest,
  state: DeviceState | undefined,
  sources: DeviceFactSources,
): DecisionRequest {
  const context = request.context ?? {};
  const claimedDevice = jsonObject(context.device);
  const claimedPosture = claimedDevice?.posture ?? context.device_posture;
  const claimedRisk = context.risk_score;
  const storedRisk = state?.risk?.score;
  const trustedPosture = state?.posture ? postureFacts(state.posture.signals) : sources.tokenPosture;
  const trustedRisk = typeof storedRisk === 'number' ? Math.round(storedRisk * 10_000) / 100 : undefined;
  // The common case (no device facts from anyone) leaves the request as it is: this runs on
  // every decision.
  if (
    claimedPosture === undefined &&
    claimedRisk === undefined &&
    trustedPosture === undefined &&
    trustedRisk === undefined
  ) {
    return request;
  }
  const posture = heldTo<unknown>(trustedPosture, claimedPosture, sources.requestMayAdd, (t, a) =>
    stricterPosture(t, a, sources.requestMayAdd),
  );
  const asserted = typeof claimedRisk === 'number' && Number.isFinite(claimedRisk) ? claimedRisk : undefined;
  const risk = heldTo(trustedRisk, asserted, sources.requestMayAdd, Math.max);
  const { device_posture: _alias, risk_score: _risk, ...rest } = context;
  const { posture: _claimed, ...device } = claimedDevice ?? {};
  if (posture !== undefined) device.posture = posture;
  return {
    ...request,
    context: {
      ...rest,
      ...(claimedDevice !== undefined || posture !== undefined ? { device } : {}),
      ...(risk === undefined ? {} : { risk_score: risk }),
    },
  };
}

/**
 * The restriction the stored risk verdict imposes, if any. Nothing in the request lifts it:
 * only a newer verdict from device intelligence does.
 */
export function deviceRestriction(
  state: DeviceState | undefined,
  effect: DeviceRestriction['effect'],
): DeviceRestriction | undefined {
  const risk = state?.risk;
  if (!risk?.restricted) return undefined;
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

/**
 * The restriction on a device whose state this replica has not finished reading (it has just
 * started): fail closed, since the device may be one device intelligence restricts.
 */
export function unknownDeviceRestriction(
  deviceId: string,
  effect: DeviceRestriction['effect'],
): DeviceRestriction {
  return {
    effect,
    admin: `device ${deviceId} unknown: this replica is still reading device intelligence's verdicts; restricted to ${effect} until it has`,
    user: 'Your device could not be checked right now; try again in a moment.',
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
