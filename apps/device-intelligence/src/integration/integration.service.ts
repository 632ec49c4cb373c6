import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@zt/auth';
import { APP_CONFIG, AppConfig, RUNTIME_MODE, RuntimeMode } from '@zt/config';
import {
  createCloudEvent,
  EventSources,
  EventTypes,
  ModelFailurePolicy,
  ModelIntegration,
  ModelIntegrationChangeData,
  Topics,
} from '@zt/contracts';
import { ProblemError, validationProblem } from '@zt/http';
import type { OutboxMessage } from '@zt/persistence';
import { DeviceIntelligenceOutboxRelay } from '../device-intelligence.outbox';
import { DeviceIntelligenceRepository, StoredIntegration } from '../device-intelligence.repository';
import { ModelClient } from '../scoring/model-client';
import { integrationBodyErrors } from './integration-body.schema';
import { modelHostRules, ModelHostRules, modelUrlProblem } from './model-url';

/** The integration as the API shows it, in the seed's snake_case. */
export interface IntegrationView {
  model_url: string;
  threshold: number;
  timeout_ms: number;
  on_failure: ModelFailurePolicy;
  updated_by: string;
  updated_at: string;
}

interface IntegrationBody {
  model_url: string;
  threshold: number;
  timeout_ms?: number;
  on_failure?: ModelFailurePolicy;
}

const DEFAULT_TIMEOUT_MS = 2_000;
// Other replicas' changes are read from the database at most this late.
const RELOAD_AFTER_MS = 2_000;
const INTEGRATION_KEY = 'model-integration';

function view(integration: StoredIntegration): IntegrationView {
  return {
    model_url: integration.modelUrl,
    threshold: integration.threshold,
    timeout_ms: integration.timeoutMs,
    on_failure: integration.onFailure,
    updated_by: integration.updatedBy,
    updated_at: integration.updatedAt.toISOString(),
  };
}

/** The integrated risk model and the client that calls it, one per model URL and timeout. */
export interface ActiveModel {
  integration: ModelIntegration;
  client: ModelClient;
}

/**
 * Registers the external risk model (seed: `POST /device-intelligence/integrate`). Changes are
 * stored with an outbox event on `zt.admin.actions`, so the audit trail records every one.
 */
@Injectable()
export class IntegrationService {
  private cached: { at: number; model: ActiveModel | null } | undefined;
  private clientKey = '';
  private client: ModelClient | undefined;
  private readonly hosts: ModelHostRules;

  constructor(
    private readonly repository: DeviceIntelligenceRepository,
    private readonly relay: DeviceIntelligenceOutboxRelay,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RUNTIME_MODE) mode: RuntimeMode,
  ) {
    this.hosts = modelHostRules(config, mode);
  }

  async get(): Promise<IntegrationView> {
    const stored = await this.repository.integration();
    if (!stored) throw new ProblemError(404, 'NOT_FOUND', 'No risk model is integrated.');
    return view(stored);
  }

  async set(body: unknown, actor: Principal, correlationId?: string): Promise<IntegrationView> {
    const errors = integrationBodyErrors(body);
    const input = body as IntegrationBody;
    if (errors.length === 0) {
      const problem = modelUrlProblem(input.model_url, this.hosts);
      if (problem) errors.push({ pointer: '/model_url', detail: problem });
    }
    if (errors.length > 0) throw validationProblem(errors);
    const integration: ModelIntegration = {
      modelUrl: input.model_url,
      threshold: input.threshold,
      timeoutMs: input.timeout_ms ?? DEFAULT_TIMEOUT_MS,
      onFailure: input.on_failure ?? 'deny',
    };
    await this.repository.saveIntegration(
      integration,
      actor.sub,
      this.event(integration, actor, correlationId),
    );
    this.afterChange();
    return this.get();
  }

  async remove(actor: Principal, correlationId?: string): Promise<void> {
    if (!(await this.repository.removeIntegration(this.event(null, actor, correlationId)))) {
      throw new ProblemError(404, 'NOT_FOUND', 'No risk model is integrated.');
    }
    this.afterChange();
  }

  /** The model to score with, or null when none is integrated. */
  async active(): Promise<ActiveModel | null> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < RELOAD_AFTER_MS) return this.cached.model;
    const stored = await this.repository.integration();
    const model = stored ? { integration: stored, client: this.clientFor(stored) } : null;
    this.cached = { at: now, model };
    return model;
  }

  /** The current client, if one was built: its breaker and load show in health and metrics. */
  get currentClient(): ModelClient | undefined {
    return this.client;
  }

  private afterChange(): void {
    this.cached = undefined;
    this.relay.kick();
  }

  /** One client per URL and timeout, so its breaker and bulkhead are shared by every call to that model. */
  private clientFor(integration: ModelIntegration): ModelClient {
    const key = `${integration.modelUrl} ${integration.timeoutMs}`;
    if (!this.client || key !== this.clientKey) {
      this.clientKey = key;
      this.client = new ModelClient({
        url: integration.modelUrl,
        timeoutMs: integration.timeoutMs,
        retries: this.config.MODEL_RETRIES,
        maxConcurrency: this.config.MODEL_MAX_CONCURRENCY,
        maxQueue: this.config.MODEL_MAX_QUEUE,
        breakerFailures: this.config.MODEL_BREAKER_FAILURES,
        halfOpenAfterMs: this.config.MODEL_BREAKER_HALF_OPEN_SECONDS * 1000,
        hosts: this.hosts,
      });
    }
    return this.client;
  }

  private event(
    integration: ModelIntegration | null,
    actor: Principal,
    correlationId?: string,
  ): OutboxMessage {
    const data: ModelIntegrationChangeData = { integration, actor: { sub: actor.sub, roles: actor.roles } };
    return {
      topic: Topics.adminActions,
      key: INTEGRATION_KEY,
      event: createCloudEvent({
        source: EventSources.deviceIntelligence,
        type: integration ? EventTypes.modelIntegrationSet : EventTypes.modelIntegrationRemoved,
        subject: INTEGRATION_KEY,
        data,
        correlationId,
      }),
    };
  }
}
