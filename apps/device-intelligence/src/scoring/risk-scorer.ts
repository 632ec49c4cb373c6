import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@zt/config';
import {
  canonicalJson,
  createCloudEvent,
  DeviceRiskData,
  EventSources,
  EventTypes,
  Topics,
} from '@zt/contracts';
import { MessageBus } from '@zt/messaging';
import { LRUCache } from 'lru-cache';
import { Counter, Histogram, Registry } from 'prom-client';
import { DeviceIntelligenceRepository, StoredDevice } from '../device-intelligence.repository';
import { IntegrationService } from '../integration/integration.service';
import { ModelAnswer, ModelCallError } from './model-client';
import { modelFeatures } from './model-features';
import { verdictFromScore, verdictOnFailure } from './risk-verdict';

const RECENT_SCORES = 10_000;

/**
 * Scores a device's posture with the integrated model and publishes the verdict on
 * `zt.device.risk`. The same device with the same features within MODEL_SCORE_CACHE_SECONDS
 * reuses the last answer instead of calling the model again (agents report often, and mostly
 * nothing changed).
 */
@Injectable()
export class RiskScorer {
  private readonly logger = new Logger('RiskScorer');
  private readonly recent: LRUCache<string, ModelAnswer> | undefined;
  private readonly calls: Counter<'outcome'>;
  private readonly duration: Histogram;
  private readonly verdicts: Counter<'restricted'>;
  private lastFailure: { reason: string; at: string } | undefined;

  constructor(
    private readonly integrations: IntegrationService,
    private readonly repository: DeviceIntelligenceRepository,
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(Registry) metrics: Registry,
  ) {
    const ttl = config.MODEL_SCORE_CACHE_SECONDS * 1000;
    this.recent = ttl > 0 ? new LRUCache({ max: RECENT_SCORES, ttl }) : undefined;
    this.calls = new Counter({
      name: 'zt_risk_model_calls_total',
      help: 'Risk model scorings by outcome: ok, cached, or the failure reason.',
      labelNames: ['outcome'],
      registers: [metrics],
    });
    this.duration = new Histogram({
      name: 'zt_risk_model_call_seconds',
      help: 'Time to a risk model answer or failure, retries included.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [metrics],
    });
    this.verdicts = new Counter({
      name: 'zt_device_risk_verdicts_total',
      help: 'Risk verdicts published, by whether the device was restricted.',
      labelNames: ['restricted'],
      registers: [metrics],
    });
  }

  /** The last failed scoring, for health. */
  get recentFailure(): { reason: string; at: string } | undefined {
    return this.lastFailure;
  }

  /**
   * Scores a device and publishes its verdict; null when no model is integrated. `fresh` skips
   * the recent-score cache (an administrator asked for a new score).
   */
  async score(device: StoredDevice, fresh = false, correlationId?: string): Promise<DeviceRiskData | null> {
    const active = await this.integrations.active();
    if (!active) return null;
    const features = modelFeatures(device.signals);
    const cacheKey = `${active.integration.modelUrl} ${device.deviceId} ${createHash('sha256').update(canonicalJson(features)).digest('hex')}`;
    const subject = {
      deviceId: device.deviceId,
      observedAt: device.observedAt,
      lastModelScore: device.lastModelScore,
    };
    let verdict: DeviceRiskData;
    let modelScored = false;
    const cached = fresh ? undefined : this.recent?.get(cacheKey);
    if (cached) {
      this.calls.inc({ outcome: 'cached' });
      verdict = verdictFromScore(subject, active.integration, cached, new Date());
    } else {
      const started = performance.now();
      try {
        const answer = await active.client.score({
          contract: 'zt.device-risk.v1',
          device_id: device.deviceId,
          features,
          signals: device.signals,
          observed_at: device.observedAt.toISOString(),
        });
        this.calls.inc({ outcome: 'ok' });
        this.recent?.set(cacheKey, answer);
        verdict = verdictFromScore(subject, active.integration, answer, new Date());
        modelScored = true;
      } catch (error) {
        const failure =
          error instanceof ModelCallError ? error : new ModelCallError('unreachable', String(error));
        this.calls.inc({ outcome: failure.reason });
        this.lastFailure = { reason: failure.reason, at: new Date().toISOString() };
        this.logger.warn(`risk model failed for ${device.deviceId}: ${failure.reason} (${failure.message})`);
        verdict = verdictOnFailure(subject, active.integration, failure, new Date());
      } finally {
        this.duration.observe((performance.now() - started) / 1000);
      }
    }
    await this.repository.saveRisk(verdict, modelScored);
    await this.bus.publish(Topics.deviceRisk, [
      {
        key: device.deviceId,
        event: createCloudEvent({
          source: EventSources.deviceIntelligence,
          type: EventTypes.deviceRisk,
          subject: device.deviceId,
          data: verdict,
          correlationId,
        }),
      },
    ]);
    this.verdicts.inc({ restricted: String(verdict.restricted) });
    return verdict;
  }
}
