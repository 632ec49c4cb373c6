import { compileExpression } from './expression';
import { expressionBindings } from './expression-bindings';
import { strengthRank } from './authentication';
import type { CanonicalPolicy, Condition, ConditionFailure, DecisionRequest, DeviceChecks } from './model';
import { AddressRanges } from './network';
import {
  authenticationStrength,
  devicePosture,
  namedAttribute,
  requestTime,
  riskScore,
  usedMfa,
  viaVpn,
} from './request-facts';
import { inTimeWindow, parseTimeWindow } from './time-window';

/** A condition ready to check: parsed and compiled once, when its policy is loaded. */
export type ConditionCheck = (request: DecisionRequest, now: () => Date) => ConditionFailure | undefined;

function shown(value: unknown): string {
  return value === undefined ? 'missing' : JSON.stringify(value);
}

function fail(condition: Condition['kind'], admin: string, user: string): ConditionFailure {
  return { condition, admin, user };
}

// Posture words that name a flag of the seed 001 posture object.
const POSTURE_FLAGS: Record<string, keyof DeviceChecks> = {
  managed: 'managed',
  encrypted: 'encryptionEnabled',
  encryption: 'encryptionEnabled',
  disk_encryption: 'encryptionEnabled',
  edr: 'edrInstalled',
};

/** Whether the device posture (a word or a seed 001 posture object) satisfies a posture word. */
export function postureSatisfies(posture: string | DeviceChecks | undefined, word: string): boolean {
  if (typeof posture === 'string') return posture === word;
  if (!posture) return false;
  // Own members only: a word such as `constructor` must not find Object.prototype's.
  const flag = Object.hasOwn(POSTURE_FLAGS, word) ? POSTURE_FLAGS[word] : undefined;
  return (
    (flag !== undefined && posture[flag] === true) ||
    (Object.hasOwn(posture, word) && (posture as Record<string, unknown>)[word] === true)
  );
}

/** Whether the request comes from one of the countries (upper-case ISO 3166-1 alpha-2 codes). */
export function countryAllowed(countries: readonly string[], country: unknown): boolean {
  return typeof country === 'string' && countries.includes(country.toUpperCase());
}

/** Whether a known risk score is within the ceiling; an unknown score never is. */
export function riskAllowed(risk: number | undefined, max: number): boolean {
  return risk !== undefined && risk <= max;
}

/** Splits `macOS 14.2` into the OS name and its numeric version parts. */
function osVersion(text: string): { name: string; parts: number[] } {
  const match = /^(.*?)\s*(\d+(?:\.\d+)*)\s*$/.exec(text.trim());
  if (!match) return { name: text.trim().toLowerCase(), parts: [] };
  return { name: match[1].toLowerCase(), parts: match[2].split('.').map(Number) };
}

/** Whether `actual` is the same OS as `minimum` at the same or a later version. */
export function osAtLeast(actual: string, minimum: string): boolean {
  const a = osVersion(actual);
  const m = osVersion(minimum);
  if (a.name !== m.name) return false;
  for (let i = 0; i < Math.max(a.parts.length, m.parts.length); i++) {
    const diff = (a.parts[i] ?? 0) - (m.parts[i] ?? 0);
    if (diff !== 0) return diff > 0;
  }
  return true;
}

function deviceChecks(checks: DeviceChecks): ConditionCheck {
  return (request) => {
    const posture = devicePosture(request);
    const facts: DeviceChecks = typeof posture === 'object' ? posture : {};
    for (const flag of ['managed', 'encryptionEnabled', 'edrInstalled'] as const) {
      if (checks[flag] === true && facts[flag] !== true) {
        return fail(
          'device_checks',
          `device ${flag} is ${shown(facts[flag])}; requires true`,
          `Your device must have ${flag} enabled.`,
        );
      }
    }
    if (
      checks.osVersion !== undefined &&
      !(typeof facts.osVersion === 'string' && osAtLeast(facts.osVersion, checks.osVersion))
    ) {
      return fail(
        'device_checks',
        `device OS is ${shown(facts.osVersion)}; requires ${checks.osVersion} or later`,
        `Update your device to ${checks.osVersion} or later.`,
      );
    }
    return undefined;
  };
}

function attribute(name: string, expected: string | number | boolean | string[]): ConditionCheck {
  return (request) => {
    const value = namedAttribute(request, name);
    if (typeof expected === 'number') {
      // A number in a condition is an upper bound (`last_commit_within_days: 7` means at most 7).
      return typeof value === 'number' && value <= expected
        ? undefined
        : fail(
            'attribute',
            `${name} is ${shown(value)}; allowed at or below ${expected}`,
            `Requires ${name} at most ${expected}.`,
          );
    }
    if (Array.isArray(expected)) {
      return typeof value === 'string' && expected.includes(value)
        ? undefined
        : fail(
            'attribute',
            `${name} is ${shown(value)}; requires one of ${expected.join(', ')}`,
            `Requires a different ${name}.`,
          );
    }
    return value === expected
      ? undefined
      : fail(
          'attribute',
          `${name} is ${shown(value)}; requires ${shown(expected)}`,
          `Requires ${name} ${shown(expected)}.`,
        );
  };
}

function timeWindow(text: string): ConditionCheck {
  const window = parseTimeWindow(text);
  return (request, now) => {
    const at = requestTime(request, now);
    return typeof window !== 'string' && inTimeWindow(window, at)
      ? undefined
      : fail(
          'time_window',
          `time ${Number.isNaN(at.getTime()) ? 'invalid' : at.toISOString()} is outside ${text}`,
          `Access is allowed ${text} only.`,
        );
  };
}

function expression(source: string): ConditionCheck {
  const program = compileExpression(source);
  return (request) => {
    const result = program(expressionBindings(request));
    if (result === true) return undefined;
    return fail(
      'expression',
      result === false ? `expression ${source} is false` : `expression ${source} failed: ${result}`,
      'A policy rule about this request is not met.',
    );
  };
}

/** Compiles one condition into its check. */
export function compileCondition(condition: Condition): ConditionCheck {
  switch (condition.kind) {
    case 'device_posture':
      return (request) => {
        const posture = devicePosture(request);
        const missing = condition.postures.find((w) => !postureSatisfies(posture, w));
        return missing === undefined
          ? undefined
          : fail(
              'device_posture',
              `device posture is ${shown(posture)}; requires ${missing}`,
              `Your device must be ${missing}.`,
            );
      };
    case 'device_checks':
      return deviceChecks(condition.checks);
    case 'location':
      return (request) => {
        const country = request.context?.country;
        return countryAllowed(condition.countries, country)
          ? undefined
          : fail(
              'location',
              `country ${shown(country)} is outside ${condition.set ?? condition.countries.join(', ')}`,
              `Access is not allowed from your location.`,
            );
      };
    case 'network': {
      const ranges = condition.cidrs ? new AddressRanges(condition.cidrs) : undefined;
      return (request) => {
        const ip = request.context?.ip;
        if (ranges && !ranges.contains(ip)) {
          return fail(
            'network',
            `address ${shown(ip)} is outside ${condition.cidrs?.join(', ')}`,
            'Connect from an allowed network.',
          );
        }
        if (condition.requireVpn && !viaVpn(request)) {
          return fail(
            'network',
            'request did not come through a VPN or ZTNA tunnel',
            'Connect through the VPN.',
          );
        }
        return undefined;
      };
    }
    case 'time_window':
      return timeWindow(condition.window);
    case 'risk_max':
      return (request) => {
        const risk = riskScore(request);
        return riskAllowed(risk, condition.max)
          ? undefined
          : fail(
              'risk_max',
              risk === undefined
                ? `risk score unknown; requires at most ${condition.max}`
                : `risk ${risk} above ${condition.max}; allowed at or below ${condition.max}`,
              'Your device or session is considered too risky right now.',
            );
      };
    case 'authentication_strength':
      return (request) => {
        const strength = authenticationStrength(request);
        return strengthRank(strength) >= strengthRank(condition.minimum)
          ? undefined
          : fail(
              'authentication_strength',
              `authentication is ${strength}; requires ${condition.minimum} or stronger`,
              `Sign in with ${condition.minimum}.`,
            );
      };
    case 'mfa':
      return (request) =>
        !condition.required || usedMfa(request)
          ? undefined
          : fail(
              'mfa',
              'session did not use multi-factor authentication',
              'Sign in with multi-factor authentication.',
            );
    case 'expression':
      return expression(condition.source);
    case 'attribute':
      return attribute(condition.name, condition.value);
  }
}

/** All of a policy's condition checks, in the order written. */
export function compileConditions(policy: CanonicalPolicy): ConditionCheck[] {
  return policy.conditions.map(compileCondition);
}
