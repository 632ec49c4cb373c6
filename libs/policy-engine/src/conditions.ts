import type { Condition, DecisionRequest } from './model';

/** A context value as a reason shows it. */
function shown(value: unknown): string {
  return value === undefined ? 'missing' : JSON.stringify(value);
}

/** Why a condition did not hold, in words an administrator can act on. */
export type ConditionFailure = { condition: string; reason: string };

function contextValue(request: DecisionRequest, name: string): unknown {
  const context = request.context ?? {};
  if (name in context) return context[name];
  return request.subject.attributes?.[name];
}

function devicePosture(request: DecisionRequest): unknown {
  const device = request.context?.device;
  if (typeof device === 'object' && device !== null && 'posture' in device) return device.posture;
  return request.context?.device_posture;
}

/** Checks one condition; returns undefined when it holds. */
export function checkCondition(condition: Condition, request: DecisionRequest): ConditionFailure | undefined {
  switch (condition.kind) {
    case 'device_posture': {
      const posture = devicePosture(request);
      return posture === condition.posture
        ? undefined
        : {
            condition: 'device_posture',
            reason: `device posture is ${shown(posture)}; requires ${condition.posture}`,
          };
    }
    case 'location': {
      const country = request.context?.country;
      return typeof country === 'string' && condition.countries.includes(country.toUpperCase())
        ? undefined
        : {
            condition: 'location',
            reason: `country ${shown(country)} is outside ${condition.set}`,
          };
    }
    case 'equals': {
      const value = contextValue(request, condition.attribute);
      return value === condition.value
        ? undefined
        : {
            condition: condition.attribute,
            reason: `${condition.attribute} is ${shown(value)}; requires ${JSON.stringify(condition.value)}`,
          };
    }
    case 'at_most': {
      const value = contextValue(request, condition.attribute);
      return typeof value === 'number' && value <= condition.limit
        ? undefined
        : {
            condition: condition.attribute,
            reason: `${condition.attribute} is ${shown(value)}; allowed at or below ${condition.limit}`,
          };
    }
    case 'one_of': {
      const value = contextValue(request, condition.attribute);
      return typeof value === 'string' && condition.values.includes(value)
        ? undefined
        : {
            condition: condition.attribute,
            reason: `${condition.attribute} is ${shown(value)}; requires one of ${condition.values.join(', ')}`,
          };
    }
  }
}
