import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ReadinessRegistry } from '@zt/observability';
import { IntegrationService } from './integration/integration.service';
import { RiskScorer } from './scoring/risk-scorer';

/**
 * Shows the risk model's state on /readyz. A failing model does not make the service unready:
 * on_failure already decides what devices get, and taking the service out of rotation would
 * also stop posture intake. Operators read `circuit` and `lastFailure` instead.
 */
@Injectable()
export class DeviceIntelligenceHealth implements OnApplicationBootstrap {
  constructor(
    private readonly readiness: ReadinessRegistry,
    private readonly integrations: IntegrationService,
    private readonly scorer: RiskScorer,
  ) {}

  onApplicationBootstrap(): void {
    this.readiness.register('risk-model', async () => {
      const active = await this.integrations.active();
      if (!active) return { ready: true, detail: { integrated: false } };
      return {
        ready: true,
        detail: {
          integrated: true,
          onFailure: active.integration.onFailure,
          circuit: active.client.circuit,
          inFlight: active.client.inFlight,
          ...(this.scorer.recentFailure ? { lastFailure: this.scorer.recentFailure } : {}),
        },
      };
    });
  }
}
