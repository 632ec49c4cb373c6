import { CHANGESET_RESULT_SCHEMA } from '../changesets/changeset.schema';
import { REPLAY_WINDOW_SCHEMA } from './replay-window';

const COUNTED = {
  type: 'array',
  items: {
    type: 'object',
    required: ['id', 'count'],
    properties: { id: { type: 'string' }, count: { type: 'integer' } },
  },
} as const;

const SIDE = {
  type: 'object',
  required: ['decision', 'policies'],
  properties: { decision: { type: 'string' }, policies: { type: 'array', items: { type: 'string' } } },
} as const;

/** The answer of `changesets:simulate`: the plan, and the replay's flips. */
export const SIMULATION_SCHEMA = {
  ...CHANGESET_RESULT_SCHEMA,
  required: [...CHANGESET_RESULT_SCHEMA.required, 'replay'],
  properties: {
    ...CHANGESET_RESULT_SCHEMA.properties,
    replay: {
      type: 'object',
      required: [
        'window',
        'revision',
        'scanned',
        'replayed',
        'invalid',
        'skipped',
        'changed',
        'flips',
        'top_subjects',
        'top_resources',
      ],
      properties: {
        window: REPLAY_WINDOW_SCHEMA,
        revision: { type: 'integer', description: 'The policy set revision the change was simulated on' },
        scanned: { type: 'integer', description: 'Decision records read' },
        replayed: { type: 'integer', description: 'Decisions evaluated before and after the change' },
        invalid: { type: 'integer', description: 'Recorded inputs the engine could not take' },
        skipped: {
          type: 'object',
          description: 'Decision records that cannot be replayed: recorded without input, or redacted',
          required: ['no_input', 'redacted'],
          properties: { no_input: { type: 'integer' }, redacted: { type: 'integer' } },
        },
        changed: { type: 'integer', description: 'Decisions whose effect the change would turn' },
        flips: {
          type: 'array',
          description: 'By (before → after) effect, most frequent first',
          items: {
            type: 'object',
            required: ['from', 'to', 'count', 'policies', 'examples'],
            properties: {
              from: { type: 'string' },
              to: { type: 'string' },
              count: { type: 'integer' },
              policies: { ...COUNTED, description: 'Policies deciding on one side only' },
              examples: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['decision_id', 'at', 'subject', 'action', 'resource', 'before', 'after'],
                  properties: {
                    decision_id: { type: 'string' },
                    at: { type: 'string', format: 'date-time' },
                    subject: { type: 'string' },
                    action: { type: 'string' },
                    resource: { type: 'string' },
                    before: SIDE,
                    after: SIDE,
                  },
                },
              },
            },
          },
        },
        top_subjects: { ...COUNTED, description: 'Subjects with the most flipped decisions' },
        top_resources: { ...COUNTED, description: 'Resources with the most flipped decisions' },
      },
    },
  },
} as const;
