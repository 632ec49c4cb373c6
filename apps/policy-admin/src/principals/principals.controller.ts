import { Body, Controller, Delete, Get, HttpCode, Param, Put, Req, Res } from '@nestjs/common';
import { CurrentPrincipal, Principal, Roles } from '@zt/auth';
import { correlationIdOf } from '@zt/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PrincipalsService, StoredPrincipal } from './principals.service';

/** HTTP for the principal directory. */
@Controller('v1/zt-policy/principals')
export class PrincipalsController {
  constructor(private readonly principals: PrincipalsService) {}

  @Get(':id')
  get(@Param('id') id: string): Promise<StoredPrincipal> {
    return this.principals.get(id);
  }

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
