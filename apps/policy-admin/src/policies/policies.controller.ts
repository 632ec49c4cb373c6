import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { PolicySnapshot } from '@zt/contracts';
import { CurrentPrincipal, Principal, RequireMfa, Roles } from '@zt/auth';
import { correlationIdOf, validationProblem } from '@zt/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ChangeContext,
  PoliciesService,
  PolicyListQuery,
  PolicyVersionView,
  StoredPolicy,
} from './policies.service';

export const POLICIES_PATH = 'v1/zt-policy/policies';
const MAX_REASON = 500;

/** Version and revision travel as headers so the body stays the policy document itself. */
function describe(reply: FastifyReply, policy: StoredPolicy): Record<string, unknown> {
  void reply.header('etag', `"${policy.version}"`);
  void reply.header('zt-policy-revision', String(policy.revision));
  return policy.document;
}

/** The version an If-Match names (`"3"` or `W/"3"`); an unparsable one can match nothing. */
export function ifMatchVersion(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"(\d{1,9})"$/.exec(header.trim());
  return match ? Number(match[1]) : -1;
}

function context(principal: Principal, request: FastifyRequest, reason: string | undefined): ChangeContext {
  if (reason !== undefined && reason.length > MAX_REASON) {
    throw validationProblem([
      { pointer: '/headers/zt-change-reason', detail: `must be at most ${MAX_REASON} characters` },
    ]);
  }
  return { actor: principal, reason, correlationId: correlationIdOf(request) };
}

/** HTTP for policy administration: translates and delegates, nothing more. */
@Controller(POLICIES_PATH)
export class PoliciesController {
  constructor(private readonly policies: PoliciesService) {}

  /** Active policies as an array (the seed's shape); the next page is in the Link header. */
  @Get()
  async list(
    @Query() query: PolicyListQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown>[]> {
    const page = await this.policies.list(query);
    if (page.nextCursor) {
      const next = new URL(request.url, 'http://host');
      next.searchParams.set('cursor', page.nextCursor);
      void reply.header('link', `<${next.pathname}${next.search}>; rel="next"`);
    }
    return page.policies.map((p) => p.document);
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
    @Headers('zt-change-reason') reason?: string,
  ): Promise<unknown> {
    const policy = await this.policies.create(body, context(principal, request, reason));
    void reply.status(201).header('location', `/${POLICIES_PATH}/${encodeURIComponent(policy.id)}`);
    return describe(reply, policy);
  }

  @Put(':id')
  @Roles('policy_admin', 'infra_admin')
  async update(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('if-match') ifMatch?: string,
    @Headers('zt-change-reason') reason?: string,
  ): Promise<unknown> {
    const policy = await this.policies.update(
      id,
      body,
      ifMatchVersion(ifMatch),
      context(principal, request, reason),
    );
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
    @Headers('zt-change-reason') reason?: string,
  ): Promise<void> {
    const policy = await this.policies.delete(id, context(principal, request, reason));
    void reply.header('zt-policy-revision', String(policy.revision));
  }

  @Post(':id/restore')
  @HttpCode(200)
  @Roles('infra_admin')
  @RequireMfa()
  async restore(
    @Param('id') id: string,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('zt-change-reason') reason?: string,
  ): Promise<unknown> {
    return describe(reply, await this.policies.restore(id, context(principal, request, reason)));
  }

  @Post(':id/rollback')
  @HttpCode(200)
  @Roles('policy_admin', 'infra_admin')
  async rollback(
    @Param('id') id: string,
    @Body() body: { version?: unknown } | undefined,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('zt-change-reason') reason?: string,
  ): Promise<unknown> {
    return describe(
      reply,
      await this.policies.rollback(id, body?.version, context(principal, request, reason)),
    );
  }

  @Get(':id/versions')
  versions(@Param('id') id: string): Promise<PolicyVersionView[]> {
    return this.policies.versions(id);
  }

  @Get(':id/versions/:version')
  async version(
    @Param('id') id: string,
    @Param('version') version: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const row = await this.policies.version(id, /^\d{1,9}$/.test(version) ? Number(version) : NaN);
    void reply.header('etag', `"${row.version}"`);
    return row.document ?? { deleted: true };
  }
}

/**
 * Collection actions named with a colon (`/policies:validate`, AIP-136 style); `::` is how
 * Fastify's router spells a literal colon.
 */
@Controller('v1/zt-policy')
export class PolicyActionsController {
  constructor(private readonly policies: PoliciesService) {}

  /** Validates a document of any shape without storing it; `?format=` picks the shape out. */
  @Post('policies::validate')
  @HttpCode(200)
  validate(@Body() body: unknown, @Query('format') format?: string): unknown {
    return this.policies.validate(body, format);
  }

  /** Every active policy and principal at one revision, for decision replicas. */
  @Get('policies::snapshot')
  @Roles('pdp', 'policy_admin', 'infra_admin')
  snapshot(): Promise<PolicySnapshot> {
    return this.policies.snapshot();
  }
}
