import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { FieldError, schemaFieldErrors } from '@zt/http';
import type { ReplayWindow } from './recorded-decisions.client';

/** Recorded decisions a simulation replays unless told otherwise, and at most. */
export const DEFAULT_REPLAY_LIMIT = 100_000;
export const MAX_REPLAY_LIMIT = 1_000_000;

/** The `replay` member of a simulation request: which recorded decisions to replay. */
export const REPLAY_WINDOW_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  description: 'Which recorded decisions to replay: the newest first, within the window, at most limit',
  properties: {
    from: { type: 'string', format: 'date-time', description: 'Decisions made at or after this instant' },
    to: {
      type: 'string',
      format: 'date-time',
      description: 'Decisions made before this instant (default now)',
    },
    limit: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_REPLAY_LIMIT,
      description: `Most decision records to read (default ${DEFAULT_REPLAY_LIMIT})`,
    },
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv, ['date-time']);
const validate = ajv.compile(REPLAY_WINDOW_SCHEMA);

/** The window a simulation asked for, or its errors under `/replay`. */
export function parseReplayWindow(value: unknown): { window: ReplayWindow } | { errors: FieldError[] } {
  const window = value ?? {};
  const errors = schemaFieldErrors(validate, window);
  if (errors.length > 0) return { errors: errors.map((e) => ({ ...e, pointer: `/replay${e.pointer}` })) };
  const { from, to, limit } = window as { from?: string; to?: string; limit?: number };
  // ajv's date-time admits what Date cannot read (a leap second): refused here, not at the audit service.
  for (const [name, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (value !== undefined && Number.isNaN(Date.parse(value)))
      return { errors: [{ pointer: `/replay/${name}`, detail: 'must be an instant this server can read' }] };
  }
  if (from !== undefined && to !== undefined && Date.parse(from) >= Date.parse(to)) {
    return { errors: [{ pointer: '/replay/from', detail: 'must be before to' }] };
  }
  return {
    window: {
      limit: limit ?? DEFAULT_REPLAY_LIMIT,
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
    },
  };
}
