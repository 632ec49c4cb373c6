import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ReadinessRegistry } from '@zt/observability';
import { IntegrationService } from './integration/integration.service';
import { RiskScorer } from './scoring/risk-scorer';

/**
 * Shows the risk model's state on /readyz. A failing model does not make the service unready:
 * on_failure already decides what devices get, and taking the service out of rotation would
 * also stop posture intake. Operators read `circuit` and `lastFailure` instead.
 *
 * A stored model URL that the host settings now forbid does: it is a configuration error, not a
 * passing outage; every scoring fails the same way (on_failure, closed by default) until an
 * administrator or operator acts, and a rolling deploy that brings such settings stops at the
 * first replica instead of quietly restricting every device. `forbidden` says which setting allows it.
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
      const forbidden = active.client.forbidden;
      return {
        ready: forbidden === undefined,
        detail: {
          integrated: true,
          ...(forbidden ? { forbidden } : {}),
          onFailure: active.integration.onFailure,
          circuit: active.client.circuit,
          inFlight: active.client.inFlight,
          ...(this.scorer.recentFailure ? { lastFailure: this.scorer.recentFailure } : {}),
        },
      };
    });
  }
}
