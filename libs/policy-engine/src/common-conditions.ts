import { countryAllowed, postureSatisfies, riskAllowed } from './conditions';
import type { Condition, DecisionRequest } from './model';
import { devicePosture, riskScore, usedMfa } from './request-facts';
import type { Vocabulary } from './vocabulary';

/**
 * The conditions nearly every policy carries (device posture words, location, risk ceiling,
 * MFA), as one plain object shared by every policy of the set with the same combination (a
 * handful, usually): checking them reads the request and values that stay in the CPU's caches,
 * where a closure per condition costs the closure, its context and the condition object, each a
 * likely cache miss with 100,000 policies.
 *
 * This only answers whether all of them hold. Which one failed first, and why, is worked out by
 * the general checks, in the order the policy wrote them; failures are the rare case.
 */
export interface CommonConditions {
  /** Posture words the device must satisfy (shared list), or undefined. */
  readonly postures: readonly string[] | undefined;
  /** Upper-case country codes the request must come from (shared list), or undefined. */
  readonly countries: readonly string[] | undefined;
  readonly riskMax: number | undefined;
  readonly mfaRequired: boolean;
}

/** A policy's conditions as common fields, or undefined when it has any other (or a repeated) kind. */
export function commonConditionsOf(
  conditions: readonly Condition[],
  vocabulary: Vocabulary,
): CommonConditions | undefined {
  let postures: readonly string[] | undefined;
  let countries: readonly string[] | undefined;
  let riskMax: number | undefined;
  let mfa: boolean | undefined;
  for (const condition of conditions) {
    switch (condition.kind) {
      case 'device_posture':
        if (postures) return undefined;
        postures = vocabulary.list(condition.postures);
        break;
      case 'location':
        if (countries) return undefined;
        countries = vocabulary.list(condition.countries);
        break;
      case 'risk_max':
        if (riskMax !== undefined) return undefined;
        riskMax = condition.max;
        break;
      case 'mfa':
        if (mfa !== undefined) return undefined;
        mfa = condition.required;
        break;
      case 'device_checks':
      case 'network':
      case 'time_window':
      case 'authentication_strength':
      case 'expression':
      case 'attribute':
        return undefined;
    }
  }
  return vocabulary.commonConditions({ postures, countries, riskMax, mfaRequired: mfa === true });
}

/** Whether every common condition holds for the request. */
export function commonConditionsHold(conditions: CommonConditions, request: DecisionRequest): boolean {
  const { postures, countries, riskMax } = conditions;
  if (postures) {
    const posture = devicePosture(request);
    for (const word of postures) if (!postureSatisfies(posture, word)) return false;
  }
  if (countries && !countryAllowed(countries, request.context?.country)) return false;
  if (riskMax !== undefined && !riskAllowed(riskScore(request), riskMax)) return false;
  return !conditions.mfaRequired || usedMfa(request);
}
