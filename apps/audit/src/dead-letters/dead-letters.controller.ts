import { Controller, Get, Query } from '@nestjs/common';
import { Roles } from '@zt/auth';
import { ApiOperation, problem } from '@zt/http';
import { DEAD_LETTER_REASONS } from './dead-letter';
import { DeadLetterListParams, DeadLetterPage, DeadLettersService } from './dead-letters.service';

const NULLABLE_STRING = { type: ['string', 'null'] };
const NULLABLE_INTEGER = { type: ['integer', 'null'] };

const DEAD_LETTER = {
  type: 'object',
  required: [
    'id',
    'received_at',
    'reason',
    'detail',
    'topic',
    'partition',
    'offset',
    'message_id',
    'message_type',
    'entry_index',
    'raw_base64',
    'raw_sha256',
  ],
  properties: {
    id: { type: 'integer' },
    received_at: { type: 'string', format: 'date-time' },
    reason: { type: 'string', enum: [...DEAD_LETTER_REASONS] },
    detail: { type: 'string' },
    topic: { type: 'string' },
    partition: NULLABLE_INTEGER,
    offset: NULLABLE_STRING,
    message_id: { type: 'string' },
    message_type: { type: 'string' },
    entry_index: NULLABLE_INTEGER,
    raw_base64: { type: 'string', contentEncoding: 'base64', contentMediaType: 'application/json' },
    raw_sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  },
};

/** Read access to the dead letters: what reached the audit service and could not be recorded. */
@Controller('v1/zt-policy/audit')
export class DeadLettersController {
  constructor(private readonly deadLetters: DeadLettersService) {}

  @ApiOperation({
    summary:
      'Records that could not be stored in the audit chain, kept whole with their reason, oldest first (auditor or infra_admin)',
    tag: 'audit',
    query: {
      reason: {
        schema: { type: 'string', enum: [...DEAD_LETTER_REASONS] },
        description: 'Only dead letters of this reason',
      },
      limit: {
        schema: { type: 'integer', minimum: 1, maximum: 500 },
        description: 'Page size (default 100)',
      },
      cursor: { schema: { type: 'string' }, description: 'next_cursor of the previous page' },
    },
    responses: {
      200: {
        description:
          'A page of dead letters; raw_base64 is the base64 of the UTF-8 JSON of what arrived (the batch entry, or the whole event)',
        schema: {
          type: 'object',
          required: ['items'],
          properties: { items: { type: 'array', items: DEAD_LETTER }, next_cursor: { type: 'string' } },
        },
      },
      400: problem('Invalid query; pointers in errors'),
    },
  })
  @Get('dead-letters')
  @Roles('auditor', 'infra_admin')
  list(@Query() query: DeadLetterListParams): Promise<DeadLetterPage> {
    return this.deadLetters.list(query);
  }
}
