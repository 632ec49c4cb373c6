import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { CurrentPrincipal, Principal, Public, Roles } from '@zt/auth';
import { ApiOperation, JsonSchema, JWKS_SCHEMA, problem } from '@zt/http';
import type { JWK } from 'jose';
import {
  ADD_SUBJECT_SCHEMA,
  CREATE_STREAM_SCHEMA,
  POLL_SCHEMA,
  REMOVE_SUBJECT_SCHEMA,
  STATUS_UPDATE_SCHEMA,
  STREAM_STATUSES,
  UPDATE_STREAM_SCHEMA,
  VERIFICATION_SCHEMA,
} from './ssf-bodies.schema';
import { PollAnswer, SsfStreamsService, StreamConfiguration, StreamStatusView } from './ssf-streams.service';
import { SsfTransmitter, TransmitterMetadata } from './ssf-transmitter';

const TAG = 'ssf';
const URI: JsonSchema = { type: 'string', format: 'uri' };
const STRINGS: JsonSchema = { type: 'array', items: { type: 'string' } };
const METADATA: JsonSchema = {
  type: 'object',
  required: ['spec_version', 'issuer', 'jwks_uri', 'delivery_methods_supported', 'configuration_endpoint'],
  properties: {
    spec_version: { type: 'string' },
    issuer: URI,
    jwks_uri: URI,
    delivery_methods_supported: STRINGS,
    configuration_endpoint: URI,
    status_endpoint: URI,
    add_subject_endpoint: URI,
    remove_subject_endpoint: URI,
    verification_endpoint: URI,
    authorization_schemes: {
      type: 'array',
      items: { type: 'object', required: ['spec_urn'], properties: { spec_urn: { type: 'string' } } },
    },
    default_subjects: { enum: ['ALL', 'NONE'] },
  },
};
const STREAM: JsonSchema = {
  type: 'object',
  required: [
    'stream_id',
    'iss',
    'aud',
    'events_supported',
    'events_requested',
    'events_delivered',
    'delivery',
  ],
  properties: {
    stream_id: { type: 'string' },
    iss: URI,
    aud: { type: 'string' },
    events_supported: STRINGS,
    events_requested: STRINGS,
    events_delivered: STRINGS,
    delivery: {
      type: 'object',
      required: ['method', 'endpoint_url'],
      properties: { method: { type: 'string' }, endpoint_url: URI },
    },
    description: { type: 'string' },
  },
};
const STATUS: JsonSchema = {
  type: 'object',
  required: ['stream_id', 'status'],
  properties: {
    stream_id: { type: 'string' },
    status: { enum: [...STREAM_STATUSES] },
    reason: { type: 'string' },
  },
};
const POLL_ANSWER: JsonSchema = {
  type: 'object',
  required: ['sets', 'moreAvailable'],
  properties: {
    sets: { type: 'object', additionalProperties: { type: 'string' }, description: 'SETs by jti' },
    moreAvailable: { type: 'boolean' },
  },
};
const STREAM_ID_QUERY = { schema: { type: 'string', maxLength: 64 }, description: 'The stream' };
const INVALID = problem('Invalid request; pointers in errors');
const NO_STREAM = problem('No such stream for this receiver');
const body = (schema: object): { schema: JsonSchema } => ({ schema: schema as unknown as JsonSchema });

/**
 * The SSF 1.0 transmitter's HTTP surface: public metadata and keys, stream management for
 * receivers (role ssf_receiver, their own streams; infra_admin, every stream) and poll delivery.
 */
@Controller()
export class SsfController {
  constructor(
    private readonly transmitter: SsfTransmitter,
    private readonly streams: SsfStreamsService,
  ) {}

  @ApiOperation({
    summary: 'SSF transmitter configuration metadata (SSF 1.0 §7)',
    tag: TAG,
    responses: { 200: { description: 'The metadata', schema: METADATA } },
  })
  @Public()
  @Get('.well-known/ssf-configuration')
  @Header('cache-control', 'public, max-age=300')
  metadata(): TransmitterMetadata {
    return this.transmitter.metadata();
  }

  @ApiOperation({
    summary: 'Public keys that sign SSF Security Event Tokens (jwks_uri)',
    tag: TAG,
    responses: { 200: { description: 'The JWKS', schema: JWKS_SCHEMA } },
  })
  @Public()
  @Get('ssf/v1/jwks.json')
  @Header('cache-control', 'public, max-age=300')
  jwks(): Promise<{ keys: JWK[] }> {
    return this.transmitter.jwks();
  }

  @ApiOperation({
    summary: 'Create an SSF stream, poll delivery (ssf_receiver or infra_admin)',
    tag: TAG,
    body: body(CREATE_STREAM_SCHEMA),
    responses: {
      201: { description: 'The stream', schema: STREAM },
      400: INVALID,
      409: problem('The receiver already holds the most streams allowed'),
    },
  })
  @Post('ssf/v1/streams')
  @Roles('ssf_receiver', 'infra_admin')
  create(@Body() payload: unknown, @CurrentPrincipal() principal: Principal): Promise<StreamConfiguration> {
    return this.streams.create(payload, principal);
  }

  @ApiOperation({
    summary: "Read one SSF stream, or all of the caller's without stream_id (ssf_receiver or infra_admin)",
    tag: TAG,
    query: { stream_id: STREAM_ID_QUERY },
    responses: {
      200: {
        description: 'The stream, or the list',
        schema: { oneOf: [STREAM, { type: 'array', items: STREAM }] },
      },
      400: INVALID,
      404: NO_STREAM,
    },
  })
  @Get('ssf/v1/streams')
  @Roles('ssf_receiver', 'infra_admin')
  read(
    @Query('stream_id') streamId: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<StreamConfiguration | StreamConfiguration[]> {
    return this.streams.read(streamId, principal);
  }

  @ApiOperation({
    summary: 'Update an SSF stream: the members given (ssf_receiver or infra_admin)',
    tag: TAG,
    body: body(UPDATE_STREAM_SCHEMA),
    responses: { 200: { description: 'The stream', schema: STREAM }, 400: INVALID, 404: NO_STREAM },
  })
  @Patch('ssf/v1/streams')
  @Roles('ssf_receiver', 'infra_admin')
  update(@Body() payload: unknown, @CurrentPrincipal() principal: Principal): Promise<StreamConfiguration> {
    return this.streams.update(payload, principal, false);
  }

  @ApiOperation({
    summary: 'Replace an SSF stream: members left out are reset (ssf_receiver or infra_admin)',
    tag: TAG,
    body: body(UPDATE_STREAM_SCHEMA),
    responses: { 200: { description: 'The stream', schema: STREAM }, 400: INVALID, 404: NO_STREAM },
  })
  @Put('ssf/v1/streams')
  @Roles('ssf_receiver', 'infra_admin')
  replace(@Body() payload: unknown, @CurrentPrincipal() principal: Principal): Promise<StreamConfiguration> {
    return this.streams.update(payload, principal, true);
  }

  @ApiOperation({
    summary: 'Delete an SSF stream and what it holds (ssf_receiver or infra_admin)',
    tag: TAG,
    query: { stream_id: STREAM_ID_QUERY },
    responses: { 204: { description: 'Deleted' }, 400: INVALID, 404: NO_STREAM },
  })
  @Delete('ssf/v1/streams')
  @HttpCode(204)
  @Roles('ssf_receiver', 'infra_admin')
  remove(@Query('stream_id') streamId: unknown, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.streams.remove(streamId, principal);
  }

  @ApiOperation({
    summary: "An SSF stream's status (ssf_receiver or infra_admin)",
    tag: TAG,
    query: { stream_id: STREAM_ID_QUERY },
    responses: { 200: { description: 'The status', schema: STATUS }, 400: INVALID, 404: NO_STREAM },
  })
  @Get('ssf/v1/status')
  @Roles('ssf_receiver', 'infra_admin')
  status(
    @Query('stream_id') streamId: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<StreamStatusView> {
    return this.streams.status(streamId, principal);
  }

  @ApiOperation({
    summary: 'Enable, pause or disable an SSF stream (ssf_receiver or infra_admin)',
    tag: TAG,
    body: body(STATUS_UPDATE_SCHEMA),
    responses: { 200: { description: 'The status', schema: STATUS }, 400: INVALID, 404: NO_STREAM },
  })
  @Post('ssf/v1/status')
  @HttpCode(200)
  @Roles('ssf_receiver', 'infra_admin')
  updateStatus(
    @Body() payload: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<StreamStatusView> {
    return this.streams.updateStatus(payload, principal);
  }

  @ApiOperation({
    summary: 'Add a subject to an SSF stream (ssf_receiver or infra_admin)',
    tag: TAG,
    body: body(ADD_SUBJECT_SCHEMA),
    responses: {
      // SSF asks for an empty 200; an empty JSON object keeps the answer JSON like every other.
      200: { description: 'Added (an empty object)', schema: { type: 'object', maxProperties: 0 } },
      400: INVALID,
      404: NO_STREAM,
      409: problem('The stream names the most subjects allowed'),
    },
  })
  @Post('ssf/v1/subjects::add')
  @HttpCode(200)
  @Roles('ssf_receiver', 'infra_admin')
  async addSubject(
    @Body() payload: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Record<string, never>> {
    await this.streams.addSubject(payload, principal);
    return {};
  }

  @ApiOperation({
    summary: 'Remove a subject from an SSF stream (ssf_receiver or infra_admin)',
    tag: TAG,
    body: body(REMOVE_SUBJECT_SCHEMA),
    responses: { 204: { description: 'Removed' }, 400: INVALID, 404: problem('No such stream or subject') },
  })
  @Post('ssf/v1/subjects::remove')
  @HttpCode(204)
  @Roles('ssf_receiver', 'infra_admin')
  removeSubject(@Body() payload: unknown, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.streams.removeSubject(payload, principal);
  }

  @ApiOperation({
    summary: 'Ask for a verification SET in an SSF stream (ssf_receiver or infra_admin)',
    tag: TAG,
    body: body(VERIFICATION_SCHEMA),
    responses: {
      204: { description: 'Queued (dropped on a disabled stream)' },
      400: INVALID,
      404: NO_STREAM,
      429: {
        ...problem('The stream holds too many unacknowledged SETs; Retry-After'),
        headers: { 'retry-after': 'Seconds' },
      },
    },
  })
  @Post('ssf/v1/verify')
  @HttpCode(204)
  @Roles('ssf_receiver', 'infra_admin')
  verify(@Body() payload: unknown, @CurrentPrincipal() principal: Principal): Promise<void> {
    return this.streams.verify(payload, principal);
  }

  @ApiOperation({
    summary:
      'Poll an SSF stream for SETs, acknowledging earlier ones (RFC 8936; ssf_receiver or infra_admin)',
    tag: TAG,
    body: body(POLL_SCHEMA),
    responses: { 200: { description: 'SETs by jti', schema: POLL_ANSWER }, 400: INVALID, 404: NO_STREAM },
  })
  @Post('ssf/v1/poll/:stream_id')
  @HttpCode(200)
  @Roles('ssf_receiver', 'infra_admin')
  poll(
    @Param('stream_id') streamId: string,
    @Body() payload: unknown,
    @CurrentPrincipal() principal: Principal,
  ): Promise<PollAnswer> {
    return this.streams.poll(streamId, payload, principal);
  }
}
