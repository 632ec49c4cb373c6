import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { Public } from '@zt/auth';
import { ReadinessRegistry } from '@zt/observability';
import type { FastifyReply } from 'fastify';
import { Registry } from 'prom-client';

/** Liveness, readiness and metrics: unauthenticated, for orchestrators and scrapers. */
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessRegistry,
    @Inject(Registry) private readonly metrics: Registry,
  ) {}

  /** Alive: the event loop answers. Says nothing about dependencies on purpose. */
  @Get('healthz')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Ready: every registered dependency (database, bus, cache, policy state) answers. */
  @Get('readyz')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<unknown> {
    const result = await this.readiness.evaluate();
    void reply.status(result.ready ? 200 : 503);
    return { status: result.ready ? 'ready' : 'not_ready', checks: result.checks };
  }

  @Get('metrics')
  @Header('content-type', 'text/plain; version=0.0.4')
  async scrape(): Promise<string> {
    return this.metrics.metrics();
  }
}
