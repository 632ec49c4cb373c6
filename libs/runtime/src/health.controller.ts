import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { Public } from '@zt/auth';
import { ApiOperation, JsonSchema } from '@zt/http';
import { ReadinessRegistry } from '@zt/observability';
import type { FastifyReply } from 'fastify';
import { Registry } from 'prom-client';

const READINESS: JsonSchema = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { enum: ['ready', 'degraded', 'not_ready'] },
    checks: {
      type: 'object',
      description: 'Each dependency by name',
      additionalProperties: {
        type: 'object',
        required: ['ready'],
        properties: {
          ready: { type: 'boolean' },
          degraded: { type: 'boolean' },
          detail: { type: 'object', additionalProperties: true },
        },
      },
    },
  },
};

/** Liveness, readiness and metrics: unauthenticated, for orchestrators and scrapers. */
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessRegistry,
    @Inject(Registry) private readonly metrics: Registry,
  ) {}

  /** Alive: the event loop answers. Says nothing about dependencies on purpose. */
  @ApiOperation({
    summary: 'Liveness',
    tag: 'health',
    responses: {
      200: {
        description: 'Alive',
        schema: { type: 'object', required: ['status'], properties: { status: { const: 'ok' } } },
      },
    },
  })
  @Get('healthz')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready: every registered dependency (database, bus, cache, policy state) answers. */
  @ApiOperation({
    summary: 'Readiness of every dependency',
    tag: 'health',
    responses: {
      200: {
        description: 'Ready (status "ready"), or serving with a dependency down (status "degraded")',
        schema: READINESS,
      },
      503: { description: 'Not ready; checks say which', schema: READINESS },
    },
  })
  @Get('readyz')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    const result = await this.readiness.evaluate();
    void reply.status(result.ready ? 200 : 503);
    const status = !result.ready ? 'not_ready' : result.degraded ? 'degraded' : 'ready';
    return { status, checks: result.checks };
  }

  @ApiOperation({
    summary: 'Prometheus metrics',
    tag: 'health',
    responses: {
      200: { description: 'Prometheus text format', contentType: 'text/plain', schema: { type: 'string' } },
    },
  })
  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4')
  async scrape(): Promise<string> {
    return this.metrics.metrics();
  }
}
