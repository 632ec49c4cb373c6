import { Readable } from 'node:stream';
import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { JWK } from 'jose';
import { CheckpointService } from '../checkpoints/checkpoint.service';
import { CurrentPrincipal, Principal, Roles } from '@zt/auth';
import { ApiOperation, correlationIdOf, JWKS_SCHEMA, problem } from '@zt/http';
import { AuditListParams, AuditPage, AuditService } from './audit.service';
import { ChainVerdict } from './chain-verifier';

const RECORD = {
  type: 'object',
  required: [
    'seq',
    'eventId',
    'eventTime',
    'recordedAt',
    'type',
    'source',
    'actor',
    'subject',
    'payload',
    'prevHash',
    'hash',
  ],
  properties: {
    seq: { type: 'integer' },
    eventId: { type: 'string' },
    eventTime: { type: 'string' },
    recordedAt: { type: 'string' },
    type: { type: 'string' },
    source: { type: 'string' },
    actor: { type: 'string' },
    subject: { type: ['string', 'null'] },
    payload: {},
    prevHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    hash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
  },
};

const VERDICT = {
  type: 'object',
  required: ['valid', 'records', 'headSeq', 'headHash', 'checkpoints', 'signedThrough', 'unsignedRecords'],
  properties: {
    valid: { type: 'boolean' },
    records: { type: 'integer', description: 'Records verified; before the first break when there is one' },
    headSeq: { type: 'integer', description: 'The last verified record' },
    headHash: { type: 'string' },
    checkpoints: { type: 'integer', description: 'Signed checkpoints verified' },
    signedThrough: {
      type: 'integer',
      description: 'Sequence through which a verified signature covers the chain (0: none)',
    },
    unsignedRecords: {
      type: 'integer',
      description: 'Verified records after signedThrough: not yet covered by a signature',
    },
    prunedThrough: {
      type: 'integer',
      description: 'Records through this sequence were removed by retention',
    },
    firstBroken: {
      type: 'object',
      required: ['seq', 'reason'],
      properties: {
        seq: { type: 'integer' },
        reason: { type: 'string' },
        checkpoint: {
          type: 'object',
          description: 'The signed checkpoint (or anchor) the chain contradicts',
          required: ['seq', 'createdAt'],
          properties: { seq: { type: 'integer' }, createdAt: { type: 'string' } },
        },
      },
    },
  },
};

/** Read access to the audit trail, for auditors. */
@Controller('v1/zt-policy/audit')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly checkpoints: CheckpointService,
  ) {}

  @ApiOperation({
    summary: 'Audit records in sequence order (auditor or infra_admin)',
    tag: 'audit',
    query: {
      type: { schema: { type: 'string' }, description: 'Only this CloudEvents type' },
      actor: { schema: { type: 'string' }, description: 'Only events caused by this subject' },
      subject: {
        schema: { type: 'string' },
        description: 'Only events about this (policy, decision, device) id',
      },
      policyId: { schema: { type: 'string' }, description: 'Only changes of this policy' },
      deviceId: { schema: { type: 'string' }, description: 'Only events about this device' },
      from: {
        schema: { type: 'string', format: 'date-time' },
        description: 'Events at or after this instant',
      },
      to: { schema: { type: 'string', format: 'date-time' }, description: 'Events before this instant' },
      limit: {
        schema: { type: 'integer', minimum: 1, maximum: 500 },
        description: 'Page size (default 100)',
      },
      cursor: { schema: { type: 'string' }, description: 'next_cursor of the previous page' },
    },
    responses: {
      200: {
        description: 'A page of records',
        schema: {
          type: 'object',
          required: ['items'],
          properties: { items: { type: 'array', items: RECORD }, next_cursor: { type: 'string' } },
        },
      },
      400: problem('Invalid query; pointers in errors'),
    },
  })
  @Get('events')
  @Roles('auditor', 'infra_admin')
  events(@Query() query: AuditListParams): Promise<AuditPage> {
    return this.audit.list(query);
  }

  @ApiOperation({
    summary:
      'Walk the hash chain and its signed checkpoints and report the first broken link (auditor or infra_admin)',
    tag: 'audit',
    responses: {
      200: {
        description:
          'The verdict: records verified (before the break, if any), the signed checkpoints that match their records, and the tail no signature covers yet',
        schema: VERDICT,
      },
    },
  })
  @Get('verify')
  @Roles('auditor', 'infra_admin')
  async verify(): Promise<ChainVerdict> {
    return this.audit.verify(await this.checkpoints.verificationKey());
  }

  @ApiOperation({
    summary:
      'The whole audit log as JSON Lines, with signed checkpoints; the export itself is recorded first, and the export ends with a checkpoint over its last record (auditor or infra_admin)',
    tag: 'audit',
    responses: {
      200: {
        description: 'One record or checkpoint per line; the last line is the checkpoint of the last record',
        contentType: 'application/x-ndjson',
        schema: { type: 'string' },
      },
    },
  })
  @Get('export')
  @Roles('auditor', 'infra_admin')
  async export(
    @CurrentPrincipal() actor: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Readable> {
    await this.audit.recordExport(actor, correlationIdOf(request));
    // Signed before streaming, so a tail cut from the file shows offline (ztctl --require-signed).
    const last = await this.checkpoints.coverHead();
    void reply
      .header('content-type', 'application/x-ndjson')
      .header('content-disposition', 'attachment; filename="audit.jsonl"');
    return Readable.from(this.audit.export(last?.seq));
  }

  @ApiOperation({
    summary: 'The public key (JWKS) that verifies audit checkpoints',
    tag: 'audit',
    responses: { 200: { description: 'A JWKS', schema: JWKS_SCHEMA } },
  })
  @Get('keys')
  keys(): Promise<{ keys: JWK[] }> {
    return this.checkpoints.publicJwks();
  }
}
