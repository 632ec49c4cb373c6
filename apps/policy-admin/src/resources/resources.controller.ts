import { RESOURCE_BODY_SCHEMA } from '@zt/contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, Put, Query, Req, Res } from '@nestjs/common';
import { CurrentPrincipal, Principal, Roles } from '@zt/auth';
import { ApiOperation, correlationIdOf, JsonSchema } from '@zt/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { StoredResource } from './resource-view';
import {
  equalityQuery,
  FORBIDDEN,
  INVALID_QUERY,
  NEXT_PAGE_HEADER,
  PAGE_QUERY,
  UNAUTHENTICATED,
} from '../directory/directory.api';
import { linkNextPage } from '../paging/page';
import { INVALID_RESOURCE, NO_RESOURCE, RESOURCE, REVISION_HEADER } from './resources.api';
import { ResourcesService } from './resources.service';

/** HTTP for the resource directory: translates and delegates. */
@Controller('v1/zt-policy/resources')
export class ResourcesController {
  constructor(private readonly resources: ResourcesService) {}

  /** Resources as an array in (type, id) order; the next page is in the Link header. */
  @ApiOperation({
    summary: 'List the resource directory',
    tag: 'resources',
    query: {
      type: { schema: { type: 'string', maxLength: 128 }, description: 'Only resources of this type' },
      property: equalityQuery('properties'),
      ...PAGE_QUERY,
    },
    responses: {
      200: {
        description: 'A page of resources',
        schema: { type: 'array', items: RESOURCE },
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
  ): Promise<StoredResource[]> {
    const page = await this.resources.list(query);
    linkNextPage(request, reply, page.nextCursor);
    return page.items;
  }

  @ApiOperation({
    summary: 'Read a resource of the directory',
    tag: 'resources',
    responses: {
      200: { description: 'The resource', schema: RESOURCE },
      400: INVALID_RESOURCE,
      401: UNAUTHENTICATED,
      403: FORBIDDEN,
      404: NO_RESOURCE,
    },
  })
  @Get(':type/:id')
  get(@Param('type') type: string, @Param('id') id: string): Promise<StoredResource> {
    return this.resources.get(type, id);
  }

  @ApiOperation({
    summary: 'Create or replace a resource of the directory',
    tag: 'resources',
    body: { schema: RESOURCE_BODY_SCHEMA as unknown as JsonSchema },
    responses: {
      200: { description: 'Stored', schema: RESOURCE, headers: REVISION_HEADER },
      400: INVALID_RESOURCE,
      401: UNAUTHENTICATED,
      403: FORBIDDEN,
    },
  })
  @Put(':type/:id')
  @Roles('policy_admin', 'infra_admin')
  async put(
    @Param('type') type: string,
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentPrincipal() actor: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StoredResource> {
    const context = { actor, correlationId: correlationIdOf(request) };
    const resource = await this.resources.put(type, id, body, context);
    void reply.header('zt-policy-revision', String(resource.revision));
    return resource;
  }

  @ApiOperation({
    summary: 'Remove a resource from the directory',
    tag: 'resources',
    responses: {
      204: { description: 'Removed', headers: REVISION_HEADER },
      400: INVALID_RESOURCE,
      401: UNAUTHENTICATED,
      403: FORBIDDEN,
      404: NO_RESOURCE,
    },
  })
  @Delete(':type/:id')
  @HttpCode(204)
  @Roles('policy_admin', 'infra_admin')
  async remove(
    @Param('type') type: string,
    @Param('id') id: string,
    @CurrentPrincipal() actor: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const revision = await this.resources.delete(type, id, {
      actor,
      correlationId: correlationIdOf(request),
    });
    void reply.header('zt-policy-revision', String(revision));
  }
}
