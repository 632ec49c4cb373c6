import { Controller, Get } from '@nestjs/common';
import { Roles } from '@zt/auth';
import { ApiOperation, JsonSchema } from '@zt/http';
import type { RolloutStatus } from './rollout-status';
import { RolloutTracker } from './rollout.tracker';

const STATUS: JsonSchema = {
  type: 'object',
  required: ['revision', 'replicas', 'last_change'],
  properties: {
    revision: { type: 'integer' },
    replicas: {
      type: 'array',
      items: {
        type: 'object',
        required: ['instance', 'revision', 'lag', 'reached_at', 'last_seen', 'ready', 'stale_seconds'],
        properties: {
          instance: { type: 'string' },
          revision: { type: 'integer' },
          lag: { type: 'integer', description: 'Revisions behind the current one' },
          reached_at: { type: 'string' },
          last_seen: { type: 'string' },
          ready: { type: 'boolean' },
          stale_seconds: { type: 'number' },
          behind: { type: 'boolean', description: 'The broker holds changes it has not applied' },
          silent: { type: 'boolean', description: 'Not heard from for several heartbeats' },
        },
      },
    },
    last_change: {
      type: 'object',
      required: ['revision', 'committed_at', 'reached_all_at', 'propagation_ms', 'pending'],
      properties: {
        revision: { type: 'integer' },
        committed_at: { type: ['string', 'null'] },
        reached_all_at: { type: ['string', 'null'] },
        propagation_ms: { type: ['number', 'null'], description: 'Null while pending' },
        pending: { type: 'array', items: { type: 'string' }, description: 'Replicas not there yet' },
      },
    },
  },
};

/** Rollout visibility: which decision replica has applied which policy revision. */
@Controller('v1/zt-policy/status')
export class StatusController {
  constructor(private readonly rollout: RolloutTracker) {}

  @ApiOperation({
    summary:
      'Every live decision replica, its revision and lag, and how long the last change took to reach them all',
    tag: 'policies',
    responses: { 200: { description: 'The rollout status', schema: STATUS } },
  })
  @Get()
  @Roles('policy_admin', 'infra_admin', 'auditor')
  status(): Promise<RolloutStatus> {
    return this.rollout.status();
  }
}
