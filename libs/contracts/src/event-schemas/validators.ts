import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { EventTypes } from '../event-types';
import { MAX_OBSERVATION_CLOCK_AHEAD_MS } from '../payloads';
import type { InputProblem } from '../untrusted-input';
import { schemaProblems } from '../schema-problems';
import { EVENT_CONTRACTS } from './catalogue';
import { cloudEventSchema } from './common';
import { DEVICE_POSTURE_SCHEMA, DEVICE_RISK_SCHEMA, LEGACY_DEVICE_POSTURE_SCHEMA } from './device';

/**
 * Why an event read from the bus is invalid by its type's schema and rules, each with its
 * pointer into the event (`/data/...`); empty when valid. `now` is the reader's clock.
 */
export type EventValidator = (event: unknown, now?: number) => InputProblem[];

const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
addFormats(ajv, ['date-time']);

const MAX_PROBLEMS = 10;

/** The HTTP intake's rule for observation times: not more than 5 minutes ahead of the reader. */
export function observedAtProblem(observedAt: string, now: number): string | undefined {
  return Date.parse(observedAt) > now + MAX_OBSERVATION_CLOCK_AHEAD_MS ? 'is in the future' : undefined;
}

function futureProblems(event: unknown, member: string, now: number): InputProblem[] {
  const data = (event as { data: Record<string, unknown> }).data;
  const problem = observedAtProblem(data[member] as string, now);
  return problem ? [{ pointer: `/data/${member}`, detail: problem }] : [];
}

function schemaValidator(type: string, data: Record<string, unknown>): ValidateFunction {
  return ajv.compile(cloudEventSchema(type, data, type));
}

const validators = new Map<string, EventValidator>();
for (const contract of EVENT_CONTRACTS) {
  const validate = schemaValidator(contract.type, contract.data);
  validators.set(contract.type, (event) => schemaProblems(validate, event, MAX_PROBLEMS));
}

// Posture: the snake_case form, or for one release the camelCase form published before it (the
// topic is compacted: a device's last report may be older than the change); either way the HTTP
// intake's future-time rule.
const currentPosture = schemaValidator(EventTypes.devicePosture, DEVICE_POSTURE_SCHEMA);
const legacyPosture = schemaValidator(EventTypes.devicePosture, LEGACY_DEVICE_POSTURE_SCHEMA);
validators.set(EventTypes.devicePosture, (event, now = Date.now()) => {
  const data = (event as { data?: unknown } | null)?.data;
  const legacy = typeof data === 'object' && data !== null && 'deviceId' in data && !('device_id' in data);
  const problems = schemaProblems(legacy ? legacyPosture : currentPosture, event, MAX_PROBLEMS);
  if (problems.length > 0) return problems;
  return futureProblems(event, legacy ? 'observedAt' : 'observed_at', now);
});

// Risk verdicts carry the observation time of the posture they scored: the same rule, for a
// verdict that lifts a restriction only. A restricting verdict is never refused for its time (a
// reader whose clock is behind device intelligence's would otherwise miss a restriction): fail
// closed.
const riskSchema = schemaValidator(EventTypes.deviceRisk, DEVICE_RISK_SCHEMA);
validators.set(EventTypes.deviceRisk, (event, now = Date.now()) => {
  const problems = schemaProblems(riskSchema, event, MAX_PROBLEMS);
  if (problems.length > 0) return problems;
  const restricted = (event as { data: { restricted: boolean } }).data.restricted;
  return restricted ? [] : futureProblems(event, 'observedAt', now);
});

/** The validator of an event type the bus carries; undefined for a type no contract names. */
export function eventValidator(type: string): EventValidator | undefined {
  return validators.get(type);
}

/** Validators of the given types, for a consumer to declare what it accepts. */
export function eventValidators(...types: string[]): ReadonlyMap<string, EventValidator> {
  return new Map(
    types.map((type) => {
      const validator = validators.get(type);
      if (!validator) throw new Error(`no schema for event type ${type}`);
      return [type, validator];
    }),
  );
}
