import { PRINCIPAL_BODY_SCHEMA } from '@zt/contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Req, Res } from '@nestjs/common';
import { CurrentPrincipal, Principal, Roles } from '@zt/auth';
import { ApiOperation, correlationIdOf, JsonSchema, problem } from '@zt/http';
import {
  equalityQuery,
  FORBIDDEN,
  INVALID_QUERY,
  NEXT_PAGE_HEADER,
  PAGE_QUERY,
  UNAUTHENTICATED,
} from '../directory/directory.api';
import { PRINCIPAL_TYPES } from '../directory/directory-query';
import { linkNextPage } from '../paging/page';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PrincipalsService, StoredPrincipal } from './principals.service';

const PRINCIPAL: JsonSchema = {
  type: 'object',
  required: ['id', 'type', 'roles', 'groups', 'attributes', 'version', 'revision'],
  properties: {
    id: { type: 'string' },
    type: { enum: ['user', 'service', 'workload', 'device'] },
    roles: { type: 'array', items: { type: 'string' } },
    groups: { type: 'array', items: { type: 'string' } },
    attributes: { type: 'object' },
    version: { type: 'integer' },
    revision: { type: 'integer' },
  },
};
const MISSING = problem('No such principal');

/** HTTP for the principal directory. */
@Controller('v1/zt-policy/principals')
export class PrincipalsController {
  constructor(private readonly principals: PrincipalsService) {}

  /** Principals as an array in id order; the next page is in the Link header. */
  @ApiOperation({
    summary: 'List the principal directory',
    tag: 'principals',
    query: {
      type: { schema: { enum: [...PRINCIPAL_TYPES] }, description: 'Only principals of this type' },
      role: { schema: { type: 'string', maxLength: 512 }, description: 'Only principals with this role' },
      group: { schema: { type: 'string', maxLength: 512 }, description: 'Only members of this group' },
      attribute: equalityQuery('attributes'),
      ...PAGE_QUERY,
    },
    responses: {
      200: {
        description: 'A page of principals',
        schema: { type: 'array', items: PRINCIPAL },
        headers: NEXT_PAGE_HEADER,
      },
      400: INVALID_QUERY,
      401: UNAUTHENTICATED,
      403: FORBIDDEN,
    },
  })
  @Get()
  async list(
    @Query() query: Record<string, unknown>,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StoredPrincipal[]> {
    const page = await this.principals.list(query);
    linkNextPage(request, reply, page.nextCursor);
    return page.items;
  }

  @ApiOperation({
    summary: 'Read a principal',
    tag: 'principals',
    responses: { 200: { description: 'The principal', schema: PRINCIPAL }, 404: MISSING },
  })
  @Get(':id')
  get(@Param('id') id: string): Promise<StoredPrincipal> {
    return this.principals.get(id);
  }

  @ApiOperation({
    summary: 'Create or replace a principal',
    tag: 'principals',
    body: { schema: PRINCIPAL_BODY_SCHEMA as unknown as JsonSchema },
    responses: {
      200: { description: 'Stored', schema: PRINCIPAL },
      400: problem('Invalid principal; pointers in errors'),
    },
  })
  @Put(':id')
  @Roles('policy_admin', 'infra_admin')
  async put(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentPrincipal() actor: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StoredPrincipal> {
    const principal = await this.principals.put(id, body, { actor, correlationId: correlationIdOf(request) });
    void reply.header('zt-policy-revision', String(principal.revision));
    return principal;
  }

  @ApiOperation({
    summary: 'Remove a principal',
    tag: 'principals',
    responses: { 204: { description: 'Removed' }, 404: MISSING },
  })
  @Delete(':id')
  @HttpCode(204)
  @Roles('policy_admin', 'infra_admin')
  async remove(
    @Param('id') id: string,
    @CurrentPrincipal() actor: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const revision = await this.principals.delete(id, { actor, correlationId: correlationIdOf(request) });
    void reply.header('zt-policy-revision', String(revision));
  }
}
