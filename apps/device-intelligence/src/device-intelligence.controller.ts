import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { CurrentPrincipal, Principal, Roles } from '@zt/auth';
import type { DeviceRiskData } from '@zt/contracts';
import { ApiOperation, correlationIdOf, JsonSchema, problem, ProblemError } from '@zt/http';
import type { FastifyRequest } from 'fastify';
import { DeviceIntelligenceRepository } from './device-intelligence.repository';
import { INTEGRATION_BODY_SCHEMA } from './integration/integration-body.schema';
import { IntegrationService, IntegrationView } from './integration/integration.service';
import { POSTURE_BODY_SCHEMA } from './posture/posture-body.schema';
import { PostureService } from './posture/posture.service';
import { RiskScorer } from './scoring/risk-scorer';

const INTEGRATION: JsonSchema = {
  type: 'object',
  required: ['model_url', 'threshold', 'timeout_ms', 'on_failure', 'updated_by', 'updated_at'],
  properties: {
    model_url: { type: 'string' },
    threshold: { type: 'number' },
    timeout_ms: { type: 'integer' },
    on_failure: { enum: ['deny', 'allow', 'last_known'] },
    updated_by: { type: 'string' },
    updated_at: { type: 'string', format: 'date-time' },
  },
};
const RISK: JsonSchema = {
  type: 'object',
  required: ['deviceId', 'score', 'model', 'threshold', 'restricted', 'explanation', 'observedAt', 'at'],
  properties: {
    deviceId: { type: 'string' },
    score: { type: ['number', 'null'] },
    model: { type: 'string' },
    threshold: { type: 'number' },
    restricted: { type: 'boolean' },
    failure: { type: 'string' },
    explanation: { type: 'array', items: { type: 'string' } },
    observedAt: { type: 'string' },
    at: { type: 'string' },
  },
};
const NO_MODEL = problem('No risk model is integrated');
const NO_DEVICE = problem('No posture was ever reported for this device');

/** What the service knows about one device. */
export interface DeviceView {
  device_id: string;
  signals: Record<string, unknown>;
  observed_at: string;
  risk: DeviceRiskData | null;
}

/** The seed's device intelligence API: the risk model integration, posture intake, device risk. */
@Controller('v1/zt-policy/device-intelligence')
export class DeviceIntelligenceController {
  constructor(
    private readonly integrations: IntegrationService,
    private readonly posture: PostureService,
    private readonly repository: DeviceIntelligenceRepository,
    private readonly scorer: RiskScorer,
  ) {}

  @ApiOperation({
    summary: 'Integrate the external risk model (infra_admin)',
    tag: 'device-intelligence',
    body: { schema: INTEGRATION_BODY_SCHEMA as unknown as JsonSchema },
    responses: { 200: { description: 'The integration', schema: INTEGRATION }, 400: problem('Invalid body') },
  })
  @Post('integrate')
  @HttpCode(200)
  @Roles('infra_admin')
  integrate(
    @Body() body: unknown,
    @CurrentPrincipal() actor: Principal,
    @Req() request: FastifyRequest,
  ): Promise<IntegrationView> {
    return this.integrations.set(body, actor, correlationIdOf(request));
  }

  @ApiOperation({
    summary: 'The integrated risk model (infra_admin or auditor)',
    tag: 'device-intelligence',
    responses: { 200: { description: 'The integration', schema: INTEGRATION }, 404: NO_MODEL },
  })
  @Get('integrate')
  @Roles('infra_admin', 'auditor')
  integration(): Promise<IntegrationView> {
    return this.integrations.get();
  }

  @ApiOperation({
    summary: 'Remove the risk model integration (infra_admin)',
    tag: 'device-intelligence',
    responses: { 204: { description: 'Removed' }, 404: NO_MODEL },
  })
  @Delete('integrate')
  @HttpCode(204)
  @Roles('infra_admin')
  removeIntegration(@CurrentPrincipal() actor: Principal, @Req() request: FastifyRequest): Promise<void> {
    return this.integrations.remove(actor, correlationIdOf(request));
  }

  @ApiOperation({
    summary: 'Report device posture signals, one report or up to 100 (device_agent or infra_admin)',
    tag: 'device-intelligence',
    body: { schema: POSTURE_BODY_SCHEMA as unknown as JsonSchema },
    responses: {
      202: {
        description: 'Queued for scoring',
        schema: {
          type: 'object',
          required: ['accepted', 'device_ids'],
          properties: {
            accepted: { type: 'integer' },
            device_ids: { type: 'array', items: { type: 'string' } },
          },
        },
      },
      400: problem('Invalid report; pointers in errors'),
      503: problem('The bus cannot take reports right now'),
    },
  })
  @Post('posture')
  @HttpCode(202)
  @Roles('device_agent', 'infra_admin')
  report(
    @Body() body: unknown,
    @Req() request: FastifyRequest,
  ): Promise<{ accepted: number; device_ids: string[] }> {
    return this.posture.report(body, correlationIdOf(request));
  }

  @ApiOperation({
    summary: "A device's latest posture and risk verdict (infra_admin or auditor)",
    tag: 'device-intelligence',
    responses: {
      200: {
        description: 'The device',
        schema: {
          type: 'object',
          required: ['device_id', 'signals', 'observed_at', 'risk'],
          properties: {
            device_id: { type: 'string' },
            signals: { type: 'object' },
            observed_at: { type: 'string' },
            risk: { oneOf: [RISK, { type: 'null' }] },
          },
        },
      },
      404: NO_DEVICE,
    },
  })
  @Get('devices/:id')
  @Roles('infra_admin', 'auditor')
  async device(@Param('id') id: string): Promise<DeviceView> {
    const device = await this.repository.device(id);
    if (!device) throw new ProblemError(404, 'NOT_FOUND', `No posture was ever reported for device ${id}.`);
    return {
      device_id: device.deviceId,
      signals: device.signals,
      observed_at: device.observedAt.toISOString(),
      risk: device.risk,
    };
  }

  @ApiOperation({
    summary: "Score a device's latest posture now, bypassing recent scores (infra_admin)",
    tag: 'device-intelligence',
    responses: { 200: { description: 'The new verdict, also published', schema: RISK }, 404: NO_DEVICE },
  })
  @Post('devices/:id/score')
  @HttpCode(200)
  @Roles('infra_admin')
  async scoreNow(@Param('id') id: string, @Req() request: FastifyRequest): Promise<DeviceRiskData> {
    const device = await this.repository.device(id);
    if (!device) throw new ProblemError(404, 'NOT_FOUND', `No posture was ever reported for device ${id}.`);
    const verdict = await this.scorer.score(device, true, correlationIdOf(request));
    if (!verdict) throw new ProblemError(404, 'NOT_FOUND', 'No risk model is integrated.');
    return verdict;
  }
}
