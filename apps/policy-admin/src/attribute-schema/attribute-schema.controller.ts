import { Body, Controller, Get, Headers, Put, Res } from '@nestjs/common';
import { CurrentPrincipal, Principal, Roles } from '@zt/auth';
import { ApiOperation, JsonSchema, problem, validationProblem } from '@zt/http';
import type { FastifyReply } from 'fastify';
import { ifMatchVersion } from '../policies/policies.controller';
import { AttributeSchemaService, StoredAttributeSchema } from './attribute-schema.service';

const MAX_REASON = 500;

// Its own JSON Schema uses local $refs that an OpenAPI document cannot hold: described here, checked by the service.
const DECLARED: JsonSchema = {
  type: 'object',
  properties: {
    properties: {
      type: 'object',
      additionalProperties: { type: 'object', additionalProperties: true },
      description: 'Attribute name → its type (string, int, double, bool, timestamp, any, list, map, object)',
    },
  },
};
const SCHEMA_DOCUMENT: JsonSchema = {
  type: 'object',
  required: ['version'],
  description:
    'An attribute schema: version 1, subject, resources (by type, `*` for all) and context properties',
  properties: {
    version: { type: 'integer', enum: [1] },
    subject: DECLARED,
    resources: { type: 'object', additionalProperties: DECLARED },
    context: DECLARED,
  },
};

const STORED: JsonSchema = {
  type: 'object',
  required: ['version', 'schema', 'actor', 'reason', 'created_at'],
  properties: {
    version: { type: 'integer', description: 'Counts the schema versions, from 1' },
    schema: SCHEMA_DOCUMENT,
    actor: { type: 'string' },
    reason: { type: ['string', 'null'] },
    created_at: { type: 'string', format: 'date-time' },
  },
};

/** HTTP for the attribute schema policies are type-checked against: translates and delegates. */
@Controller('v1/zt-policy/attribute-schema')
export class AttributeSchemaController {
  constructor(private readonly schemas: AttributeSchemaService) {}

  @ApiOperation({
    summary: 'Read the attribute schema policies are type-checked against',
    tag: 'policies',
    responses: {
      200: { description: 'The current version', schema: STORED, headers: { etag: 'The version ("3")' } },
      404: problem('No schema is stored: policies are untyped'),
    },
  })
  @Get()
  async get(@Res({ passthrough: true }) reply: FastifyReply): Promise<StoredAttributeSchema> {
    const stored = await this.schemas.get();
    void reply.header('etag', `"${stored.version}"`);
    return stored;
  }

  @ApiOperation({
    summary: 'Every version of the attribute schema, newest first (at most 100)',
    tag: 'policies',
    responses: { 200: { description: 'The versions', schema: { type: 'array', items: STORED } } },
  })
  @Get('versions')
  history(): Promise<StoredAttributeSchema[]> {
    return this.schemas.history();
  }

  @ApiOperation({
    summary: 'Store a new version of the attribute schema; refused while a stored policy would fail it',
    tag: 'policies',
    headers: {
      'if-match': 'The version this change is based on ("3"; "0" when none is stored)',
      'zt-change-reason': 'Why (kept in the history, at most 500 characters)',
    },
    body: { schema: SCHEMA_DOCUMENT },
    responses: {
      200: { description: 'The new version', schema: STORED },
      400: problem('Invalid schema; `errors` has a JSON pointer per field'),
      409: problem('Stored policies fail this schema; `policies` lists them with their errors'),
      412: problem('If-Match names another version'),
    },
  })
  @Put()
  @Roles('policy_admin', 'infra_admin')
  async put(
    @Body() body: unknown,
    @CurrentPrincipal() actor: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('if-match') ifMatch?: string,
    @Headers('zt-change-reason') reason?: string,
  ): Promise<StoredAttributeSchema> {
    if (reason !== undefined && reason.length > MAX_REASON) {
      throw validationProblem([
        { pointer: '/headers/zt-change-reason', detail: `must be at most ${MAX_REASON} characters` },
      ]);
    }
    const stored = await this.schemas.put(body, ifMatchVersion(ifMatch), { actor, reason });
    void reply.header('etag', `"${stored.version}"`);
    return stored;
  }
}
