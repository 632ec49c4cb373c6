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
import { CurrentPrincipal, Principal, RequireMfa, Roles } from '@zt/auth';
import { ApiOperation, correlationIdOf, problem, validationProblem } from '@zt/http';
import {
  INVALID,
  NOT_FOUND,
  POLICY_DOCUMENT,
  POLICY_HEADERS,
  REASON_HEADER,
  SNAPSHOT,
  VERSION_DOCUMENT,
  VERSION_VIEW,
} from './policies.api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ChangeContext,
  PoliciesService,
  PolicyListQuery,
  PolicyVersionView,
  StoredPolicy,
} from './policies.service';
import { MAX_VERSION } from './policy.entity';
import { linkNextPage } from '../paging/page';
import { PolicyHistoryService } from '../history/history.service';
import { SnapshotQueryParameters, snapshotQueryOf } from '../history/snapshot-query';

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

/**
 * The `{version}` path parameter: digits only, from 1 to the largest storable version; anything
 * else is a 400 naming the parameter (a well-formed version that does not exist is a 404 later).
 */
export function versionParameter(raw: string): number {
  const value = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 1 && value <= MAX_VERSION)) {
    throw validationProblem(
      [{ pointer: '/version', detail: `path parameter must be a version number from 1 to ${MAX_VERSION}` }],
      'Invalid path parameter.',
    );
  }
  return value;
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
  @ApiOperation({
    summary: 'List active policies',
    tag: 'policies',
    query: {
      subject: { schema: { type: 'string' }, description: 'A subject key such as group:engineering' },
      resource: { schema: { type: 'string' }, description: 'A resource id; policies whose globs cover it' },
      effect: {
        schema: { enum: ['allow', 'deny', 'require_mfa', 'isolate'] },
        description: 'Only this effect',
      },
      enforcementMode: { schema: { enum: ['enforce', 'audit', 'disabled'] }, description: 'Only this mode' },
      limit: {
        schema: { type: 'integer', minimum: 1, maximum: 500 },
        description: 'Page size (default 100)',
      },
      cursor: { schema: { type: 'string' }, description: "From the previous page's Link header" },
    },
    responses: {
      200: {
        description: 'A page of policies',
        schema: { type: 'array', items: POLICY_DOCUMENT },
        headers: { link: 'rel="next" page' },
      },
      400: INVALID,
    },
  })
  @Get()
  async list(
    @Query() query: PolicyListQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Record<string, unknown>[]> {
    const page = await this.policies.list(query);
    linkNextPage(request, reply, page.nextCursor);
    return page.policies.map((p) => p.document);
  }

  @ApiOperation({
    summary: 'Read a policy',
    tag: 'policies',
    responses: {
      200: { description: 'The policy document', schema: POLICY_DOCUMENT, headers: POLICY_HEADERS },
      404: NOT_FOUND,
    },
  })
  @Get(':id')
  async get(@Param('id') id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    return describe(reply, await this.policies.get(id));
  }

  @ApiOperation({
    summary: 'Create a policy (any accepted shape)',
    tag: 'policies',
    headers: REASON_HEADER,
    body: { schema: POLICY_DOCUMENT },
    responses: {
      201: {
        description: 'Stored',
        schema: POLICY_DOCUMENT,
        headers: { ...POLICY_HEADERS, location: 'The new policy' },
      },
      400: INVALID,
      409: problem('A policy with this id exists'),
    },
  })
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

  @ApiOperation({
    summary: 'Replace a policy with a new version',
    tag: 'policies',
    headers: { 'if-match': 'The version this change is based on ("3")', ...REASON_HEADER },
    body: { schema: POLICY_DOCUMENT },
    responses: {
      200: { description: 'The new version', schema: POLICY_DOCUMENT, headers: POLICY_HEADERS },
      400: INVALID,
      404: NOT_FOUND,
      412: problem('If-Match names an older version'),
    },
  })
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

  @ApiOperation({
    summary: 'Delete a policy (infra_admin with MFA; restorable for 30 minutes)',
    tag: 'policies',
    headers: REASON_HEADER,
    responses: {
      204: {
        description: 'Deleted',
        headers: { 'zt-policy-revision': POLICY_HEADERS['zt-policy-revision'] },
      },
      404: NOT_FOUND,
    },
  })
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

  @ApiOperation({
    summary: 'Undo a delete within the restore window (infra_admin with MFA)',
    tag: 'policies',
    headers: REASON_HEADER,
    responses: {
      200: { description: 'Restored', schema: POLICY_DOCUMENT, headers: POLICY_HEADERS },
      404: NOT_FOUND,
      409: problem('The policy is not deleted'),
      410: problem('The restore window has passed'),
    },
  })
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

  @ApiOperation({
    summary: 'Create a new version equal to an old one',
    tag: 'policies',
    headers: REASON_HEADER,
    body: {
      schema: {
        type: 'object',
        required: ['version'],
        properties: { version: { type: 'integer', minimum: 1 } },
      },
    },
    responses: {
      200: { description: 'The new version', schema: POLICY_DOCUMENT, headers: POLICY_HEADERS },
      400: INVALID,
      404: problem('No such policy or version'),
    },
  })
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

  @ApiOperation({
    summary: 'The version history of a policy',
    tag: 'policies',
    responses: {
      200: { description: 'Oldest first', schema: { type: 'array', items: VERSION_VIEW } },
      404: NOT_FOUND,
    },
  })
  @Get(':id/versions')
  versions(@Param('id') id: string): Promise<PolicyVersionView[]> {
    return this.policies.versions(id);
  }

  @ApiOperation({
    summary: 'One version of a policy',
    tag: 'policies',
    responses: {
      200: {
        description: 'Its document ({ deleted: true } for a delete)',
        schema: VERSION_DOCUMENT,
        headers: { etag: 'The version' },
      },
      400: INVALID,
      404: problem('No such version'),
    },
  })
  @Get(':id/versions/:version')
  async version(
    @Param('id') id: string,
    @Param('version') version: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const row = await this.policies.version(id, versionParameter(version));
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
  constructor(
    private readonly policies: PoliciesService,
    private readonly history: PolicyHistoryService,
  ) {}

  /** Validates a document of any shape without storing it; `?format=` picks the shape out. */
  @ApiOperation({
    summary: 'Validate a policy without storing it, optionally converting its shape',
    tag: 'policies',
    query: {
      format: { schema: { enum: ['zt', 'nist', 'ztna'] }, description: 'The shape of the returned policy' },
    },
    body: { schema: POLICY_DOCUMENT },
    responses: {
      200: {
        description: 'Valid',
        schema: {
          type: 'object',
          required: ['valid', 'format', 'policy'],
          properties: {
            valid: { const: true },
            format: { enum: ['zt', 'nist', 'ztna'] },
            policy: POLICY_DOCUMENT,
          },
        },
      },
      400: INVALID,
    },
  })
  @Post('policies::validate')
  @HttpCode(200)
  validate(@Body() body: unknown, @Query('format') format?: string): unknown {
    return this.policies.validate(body, format);
  }

  /**
   * Every active policy, principal and resource at one revision, for decision replicas; with
   * `at` or `revision`, as they were then (time travel, see history/).
   */
  @ApiOperation({
    summary:
      'Every active policy, principal and directory resource at one revision (for decision replicas), now or as of a past revision or instant',
    tag: 'policies',
    query: {
      at: {
        schema: { type: 'string', format: 'date-time' },
        description:
          'RFC 3339 instant: the state as of the last revision committed at or before it (not with revision)',
      },
      revision: {
        schema: { type: 'integer', minimum: 0 },
        description: 'The state as of this revision (not with at)',
      },
    },
    responses: {
      200: {
        description:
          'The snapshot; with at or revision, also as_of: the revision answered and its commit time',
        schema: SNAPSHOT,
      },
      400: problem('A malformed at or revision, or both; pointers /at or /revision in errors'),
      404: problem('A revision not reached yet'),
      422: problem(
        'HISTORY_NOT_AVAILABLE: the instant or revision is older than the history kept (or before any revision)',
      ),
    },
  })
  @Get('policies::snapshot')
  @Roles('pdp', 'policy_admin', 'infra_admin')
  snapshot(
    @Query() query: SnapshotQueryParameters,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const asOf = snapshotQueryOf({ at: query.at, revision: query.revision });
    // Already JSON (a PolicySnapshot from PostgreSQL's text): sent as it is.
    void reply.header('content-type', 'application/json; charset=utf-8');
    return asOf ? this.history.snapshotJsonAt(asOf) : this.policies.snapshotJson();
  }
}
