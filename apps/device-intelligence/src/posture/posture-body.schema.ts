import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { DEVICE_ID_SCHEMA, POSTURE_SIGNALS_SCHEMA } from '@zt/contracts';
import { FieldError, schemaFieldErrors } from '@zt/http';

/** Reports accepted in one call: an agent fleet batches, but one call stays small. */
export const MAX_POSTURE_REPORTS = 100;

const REPORT = {
  type: 'object',
  additionalProperties: false,
  required: ['device_id', 'signals'],
  properties: {
    // The schemas of the bus event (`/asyncapi.json`): one schema for both ways in.
    device_id: DEVICE_ID_SCHEMA,
    signals: POSTURE_SIGNALS_SCHEMA,
    observed_at: { type: 'string', format: 'date-time' },
  },
} as const;

/** JSON Schema of `POST /device-intelligence/posture`: one report or an array of them. */
export const POSTURE_BODY_SCHEMA = {
  anyOf: [REPORT, { type: 'array', minItems: 1, maxItems: MAX_POSTURE_REPORTS, items: REPORT }],
} as const;

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv, ['date-time']);
const validateReport = ajv.compile(REPORT);
const validateBody = ajv.compile(POSTURE_BODY_SCHEMA);

/**
 * Field errors of a posture body, each with its JSON pointer; empty when valid. An array is
 * checked report by report so a bad one is named by its index, not by `anyOf`'s summary.
 */
export function postureBodyErrors(body: unknown): FieldError[] {
  if (Array.isArray(body)) {
    if (body.length === 0 || body.length > MAX_POSTURE_REPORTS) {
      return [{ pointer: '', detail: `must hold 1 to ${MAX_POSTURE_REPORTS} reports` }];
    }
    return body.flatMap((report, index) =>
      schemaFieldErrors(validateReport, report).map((e) => ({ ...e, pointer: `/${index}${e.pointer}` })),
    );
  }
  if (typeof body === 'object' && body !== null) return schemaFieldErrors(validateReport, body);
  return schemaFieldErrors(validateBody, body);
}
