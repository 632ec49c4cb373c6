import { Body, Controller, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import { CurrentPrincipal, Principal, Roles } from '@zt/auth';
import { ApiOperation, correlationIdOf, JsonSchema, problem, validationProblem } from '@zt/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { INVALID } from '../policies/policies.api';
import { PoliciesService } from '../policies/policies.service';
import { parseChangeSet } from './changeset-input';
import { CHANGESET_RESULT_SCHEMA, CHANGESET_SCHEMA, MAX_CHANGESET_REASON } from './changeset.schema';
import { ChangeSetSimulator, SimulationResult } from '../replay/changeset-simulator';
import { SIMULATION_SCHEMA } from '../replay/simulation.schema';
import { parseReplayWindow, REPLAY_WINDOW_SCHEMA } from '../replay/replay-window';
import { ChangeSetResult, ChangeSetsService } from './changesets.service';

const BODY = CHANGESET_SCHEMA as unknown as JsonSchema;
const RESULT = CHANGESET_RESULT_SCHEMA as unknown as JsonSchema;
const VALID_RESULT: JsonSchema = {
  ...CHANGESET_RESULT_SCHEMA,
  required: [...CHANGESET_RESULT_SCHEMA.required, 'valid'],
  properties: { valid: { const: true }, ...CHANGESET_RESULT_SCHEMA.properties },
};
const REVISION_HEADER = { 'zt-policy-revision': 'The policy set revision after the set' };
const MOVED = problem('expected_revision is not the current revision; nothing was changed');
const MISSING = problem('A delete names a target that does not exist; nothing was changed');

/** The `zt-change-reason` header, bounded as the single writes bound it (the body's `reason` wins). */
function headerReason(reason: string | undefined): string | undefined {
  if (reason !== undefined && reason.length > MAX_CHANGESET_REASON) {
    throw validationProblem([
      { pointer: '/headers/zt-change-reason', detail: `must be at most ${MAX_CHANGESET_REASON} characters` },
    ]);
  }
  return reason;
}

/**
 * Atomic change sets (`/changesets`, and `/changesets:validate` AIP-136 style like
 * `/policies:validate`): translates and delegates.
 */
@Controller('v1/zt-policy')
export class ChangeSetsController {
  constructor(
    private readonly changesets: ChangeSetsService,
    private readonly policies: PoliciesService,
    private readonly simulator: ChangeSetSimulator,
  ) {}

  @ApiOperation({
    summary: 'Apply creates, updates and deletes of policies, principals and resources at one revision',
    tag: 'changesets',
    body: { schema: BODY },
    responses: {
      200: { description: 'Applied, all or nothing', schema: RESULT, headers: REVISION_HEADER },
      400: INVALID,
      403: problem(
        'A change needs a role or factor the caller lacks (a policy delete: infra_admin with MFA)',
      ),
      409: MISSING,
      412: MOVED,
    },
  })
  @Post('changesets')
  @HttpCode(200)
  @Roles('policy_admin', 'infra_admin')
  async apply(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Headers('zt-change-reason') reason?: string,
  ): Promise<ChangeSetResult> {
    const input = await parseChangeSet(body, (document, id) => this.policies.parseForWrite(document, id));
    const result = await this.changesets.apply(input, {
      actor: principal,
      reason: headerReason(reason),
      correlationId: correlationIdOf(request),
    });
    void reply.header('zt-policy-revision', String(result.revision));
    return result;
  }

  @ApiOperation({
    summary: 'Validate a change set against the current state without storing it',
    tag: 'changesets',
    body: { schema: BODY },
    responses: {
      200: {
        description: 'Valid: what each change would do, at the current revision',
        schema: VALID_RESULT,
        headers: { 'zt-policy-revision': 'The current policy set revision' },
      },
      400: INVALID,
      409: MISSING,
      412: MOVED,
    },
  })
  @Post('changesets::validate')
  @HttpCode(200)
  @Roles('policy_admin', 'infra_admin')
  async validate(
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ChangeSetResult & { valid: true }> {
    const input = await parseChangeSet(body, (document, id) => this.policies.parseForWrite(document, id));
    const result = await this.changesets.validate(input);
    void reply.header('zt-policy-revision', String(result.revision));
    return { valid: true, ...result };
  }

  @ApiOperation({
    summary:
      'Replay recorded decisions on the current state and with a change set applied, and report what would flip (policy_admin or infra_admin, and auditor or infra_admin to read the decisions)',
    tag: 'changesets',
    body: {
      schema: {
        ...BODY,
        properties: {
          ...(BODY.properties as Record<string, JsonSchema>),
          replay: REPLAY_WINDOW_SCHEMA as unknown as JsonSchema,
        },
      },
    },
    responses: {
      200: {
        description: 'What each change would do, and the decisions that would come out differently',
        schema: SIMULATION_SCHEMA,
        headers: { 'zt-policy-revision': 'The current policy set revision' },
      },
      400: INVALID,
      403: problem('Replay reads recorded decisions: the caller also needs auditor or infra_admin'),
      409: MISSING,
      412: MOVED,
      503: problem(
        'The audit service that holds the recorded decisions cannot be read; retry after the time given',
      ),
    },
  })
  @Post('changesets::simulate')
  @HttpCode(200)
  @Roles('policy_admin', 'infra_admin')
  async simulate(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SimulationResult> {
    const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
    const { replay, ...changeset } = isObject ? (body as Record<string, unknown>) : {};
    const window = parseReplayWindow(replay);
    if ('errors' in window) throw validationProblem(window.errors, 'The replay window is invalid.');
    const input = await parseChangeSet(isObject ? changeset : body, (document, id) =>
      this.policies.parseForWrite(document, id),
    );
    const result = await this.simulator.simulate(input, window.window, request.headers.authorization);
    void reply.header('zt-policy-revision', String(result.replay.revision));
    return result;
  }
}
