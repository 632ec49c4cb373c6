import type { Logger } from '@nestjs/common';
import type { Server } from '@grpc/grpc-js';
import type { ReadinessRegistry } from '@zt/observability';
import { HealthImplementation, ServingStatus } from 'grpc-health-check';

// How often health follows readiness: well under Envoy's usual health check interval (5-10 s).
const HEALTH_INTERVAL_MS = 2_000;

/**
 * grpc.health.v1.Health for Envoy's gRPC health checks and grpcurl: every served service (and
 * the whole server, '') is SERVING while the process is ready (the checks of /readyz),
 * NOT_SERVING before the first evaluation and from the start of shutdown, so a health checker
 * stops sending calls while the server drains the ones in flight.
 */
export class GrpcHealth {
  private readonly health: HealthImplementation;
  private timer: NodeJS.Timeout | undefined;
  private evaluating = false;

  constructor(
    private readonly services: string[],
    private readonly readiness: ReadinessRegistry,
    private readonly logger: Logger,
  ) {
    this.health = new HealthImplementation(
      Object.fromEntries(['', ...services].map((s): [string, ServingStatus] => [s, 'NOT_SERVING'])),
    );
  }

  /** Serves Health on the server and starts following readiness; booting never waits for it. */
  start(server: Server): void {
    this.health.addToServer(server);
    this.timer = setInterval(() => this.follow(), HEALTH_INTERVAL_MS);
    this.timer.unref();
    this.follow();
  }

  /** Reports NOT_SERVING from now on. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.set('NOT_SERVING');
  }

  private set(status: ServingStatus): void {
    for (const service of ['', ...this.services]) this.health.setStatus(service, status);
  }

  /** One evaluation at a time: a slow readiness check never piles up evaluations. */
  private follow(): void {
    if (this.evaluating || !this.timer) return;
    this.evaluating = true;
    this.readiness
      .evaluate()
      .then(({ ready }) => {
        if (this.timer) this.set(ready ? 'SERVING' : 'NOT_SERVING');
      })
      .catch((error: unknown) => this.logger.error(`readiness for gRPC health failed: ${String(error)}`))
      .finally(() => {
        this.evaluating = false;
      });
  }
}
