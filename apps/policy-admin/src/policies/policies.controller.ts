import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { CurrentPrincipal, Principal, RequireMfa, Roles } from '@zt/auth';
import { correlationIdOf } from '@zt/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PoliciesService, StoredPolicy } from './policies.service';

export const POLICIES_PATH = 'v1/zt-policy/policies';

/** Version and revision travel as headers so the body stays the policy document itself. */
function describe(reply: FastifyReply, policy: StoredPolicy): Record<string, unknown> {
  void reply.header('etag', `"${policy.version}"`);
  void reply.header('zt-policy-revision', String(policy.revision));
  return policy.document;
}

/** HTTP for policy administration: translates and delegates, nothing more. */
@Controller(POLICIES_PATH)
export class PoliciesController {
  constructor(private readonly policies: PoliciesService) {}

  @Get()
  async list(): Promise<Record<string, unknown>[]> {
    return (await this.policies.list()).map((p) => p.document);
  }

  @Get(':id')
  async get(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    return describe(reply, await this.policies.get(id));
  }

  @Post()
  @Roles('policy_admin', 'infra_admin')
  async create(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const policy = await this.policies.create(body, principal, correlationIdOf(request));
    void reply.status(201).header('location', `/${POLICIES_PATH}/${encodeURIComponent(policy.id)}`);
    return describe(reply, policy);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('infra_admin')
  @RequireMfa()
  async remove(
    @Param('id') id: string,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    const policy = await this.policies.delete(id, principal, correlationIdOf(request));
    void reply.header('zt-policy-revision', String(policy.revision));
  }
}
