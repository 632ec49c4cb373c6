import { authenticationStrengthOf, isMultiFactor } from './authentication';
import type { AuthenticationStrength, DecisionRequest, DeviceChecks } from './model';
import { AUTHENTICATION_STRENGTHS } from './model';

/**
 * Reads the documented context keys of a request (see docs/policy-language.md). Each function
 * tolerates any JSON: a request that lacks a fact simply does not satisfy conditions on it.
 */
function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** `context.device.posture` (or `context.device_posture`): a word or a seed 001 posture object. */
export function devicePosture(request: DecisionRequest): string | DeviceChecks | undefined {
  const posture = record(request.context?.device)?.posture ?? request.context?.device_posture;
  if (typeof posture === 'string') return posture;
  return record(posture);
}

/** The device's id, for explanations. */
export function deviceId(request: DecisionRequest): string | undefined {
  const id = record(request.context?.device)?.id;
  return typeof id === 'string' ? id : undefined;
}

/** `context.amr`: the authentication methods of the session. */
export function authenticationMethods(request: DecisionRequest): string[] {
  const amr = request.context?.amr;
  return Array.isArray(amr) ? amr.filter((m): m is string => typeof m === 'string') : [];
}

/** `context.authentication_strength`, else the strength the `amr` methods reach. */
export function authenticationStrength(request: DecisionRequest): AuthenticationStrength {
  const given = request.context?.authentication_strength;
  if (typeof given === 'string' && (AUTHENTICATION_STRENGTHS as readonly string[]).includes(given)) {
    return given as AuthenticationStrength;
  }
  return authenticationStrengthOf(authenticationMethods(request));
}

/** `context.mfa === true`, or multi-factor `amr`. */
export function usedMfa(request: DecisionRequest): boolean {
  return request.context?.mfa === true || isMultiFactor(authenticationMethods(request));
}

/** `context.vpn` or `context.network.vpn`: whether the request came through a VPN/ZTNA tunnel. */
export function viaVpn(request: DecisionRequest): boolean {
  return request.context?.vpn === true || record(request.context?.network)?.vpn === true;
}

/** `context.time` (ISO 8601), else the engine's clock. */
export function requestTime(request: DecisionRequest, now: () => Date): Date {
  const time = request.context?.time;
  return typeof time === 'string' ? new Date(time) : now();
}

/** `context.risk_score`, 0 (no risk) to 100. */
export function riskScore(request: DecisionRequest): number | undefined {
  const risk = request.context?.risk_score;
  return typeof risk === 'number' && Number.isFinite(risk) ? risk : undefined;
}

/** The port the request goes to: `resource.attributes.port`, else `context.port`. */
export function requestPort(request: DecisionRequest): number | undefined {
  const port = request.resource.attributes?.port ?? request.context?.port;
  return typeof port === 'number' ? port : undefined;
}

/**
 * A named attribute: from the subject's attributes first, then from the context. The subject's
 * come from the principal directory where it holds them (the trust model), so a fact the caller
 * puts in the context can never shadow what the directory says of the subject.
 */
export function namedAttribute(request: DecisionRequest, name: string): unknown {
  const attributes = request.subject.attributes ?? {};
  return Object.prototype.hasOwnProperty.call(attributes, name) ? attributes[name] : request.context?.[name];
}
