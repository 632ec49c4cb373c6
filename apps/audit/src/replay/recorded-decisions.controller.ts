import { Controller, Get, Query } from '@nestjs/common';
import { Roles } from '@zt/auth';
import { ApiOperation, problem } from '@zt/http';
import { MAX_REPLAY_PAGE } from './recorded-decisions.query';
import { RecordedDecisionsPage, RecordedDecisionsService } from './recorded-decisions.service';
import type { RecordedDecisionsParams } from './recorded-decisions.query';

const INPUT = {
  type: 'object',
  required: ['subject', 'action', 'resource'],
  description: 'The request as the engine decided it (after the token, directories and device joined it)',
  properties: {
    subject: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
    action: { type: 'string' },
    resource: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
    context: { type: 'object' },
  },
};

/** Recorded decision inputs, read by replay (`POST /v1/zt-policy/changesets:simulate`). */
@Controller('v1/zt-policy/audit')
export class RecordedDecisionsController {
  constructor(private readonly recorded: RecordedDecisionsService) {}

  @ApiOperation({
    summary: 'Recorded decision inputs for replay, newest first (auditor or infra_admin)',
    tag: 'audit',
    query: {
      from: {
        schema: { type: 'string', format: 'date-time' },
        description: 'Decisions made at or after this instant',
      },
      to: {
        schema: { type: 'string', format: 'date-time' },
        description: 'Decisions made before this instant',
      },
      limit: {
        schema: { type: 'integer', minimum: 1, maximum: MAX_REPLAY_PAGE },
        description: 'Decision records this page scans (default 1000)',
      },
      cursor: { schema: { type: 'string' }, description: 'next_cursor of the previous page' },
    },
    responses: {
      200: {
        description:
          'A page of replayable decisions, and counts of the scanned records that cannot be replayed (recorded without input, or redacted)',
        schema: {
          type: 'object',
          required: ['items', 'skipped', 'scanned'],
          properties: {
            items: {
              type: 'array',
              items: {
                type: 'object',
                required: ['decisionId', 'at', 'decision', 'revision', 'input'],
                properties: {
                  decisionId: { type: 'string' },
                  at: { type: 'string', format: 'date-time' },
                  decision: { type: 'string' },
                  revision: { type: 'integer' },
                  input: INPUT,
                },
              },
            },
            skipped: {
              type: 'object',
              required: ['no_input', 'redacted'],
              properties: { no_input: { type: 'integer' }, redacted: { type: 'integer' } },
            },
            scanned: { type: 'integer' },
            next_cursor: { type: 'string' },
          },
        },
      },
      400: problem('Invalid query; pointers in errors'),
    },
  })
  @Get('decision-inputs')
  @Roles('auditor', 'infra_admin')
  page(@Query() query: RecordedDecisionsParams): Promise<RecordedDecisionsPage> {
    return this.recorded.page(query);
  }
}
