import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@zt/config';
import { createCloudEvent, DecisionHeartbeatData, EventSources, EventTypes, Topics } from '@zt/contracts';
import { MessageBus } from '@zt/messaging';
import { PolicyChangesConsumer } from './policy-changes.consumer';
import { PolicyState } from './policy-state';

// Revision changes come in bursts (an import of many policies); one heartbeat per burst is enough.
const CHANGE_DEBOUNCE_MS = 100;

/**
 * Tells the bus, every DECISION_HEARTBEAT_SECONDS and right after every revision change, which
 * policy revision this replica has applied and since when. policy-admin's `GET /status` builds
 * the rollout view from these.
 */
@Injectable()
export class HeartbeatPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('HeartbeatPublisher');
  private readonly startedAt = new Date().toISOString();
  private timer: NodeJS.Timeout | undefined;
  private pending: NodeJS.Timeout | undefined;

  constructor(
    private readonly state: PolicyState,
    private readonly consumer: PolicyChangesConsumer,
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.beat(), this.config.DECISION_HEARTBEAT_SECONDS * 1000);
    this.state.onRevision(() => {
      this.pending ??= setTimeout(() => {
        this.pending = undefined;
        void this.beat();
      }, CHANGE_DEBOUNCE_MS);
    });
    void this.beat();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    clearTimeout(this.pending);
  }

  private async beat(): Promise<void> {
    const data: DecisionHeartbeatData = {
      instanceId: this.config.INSTANCE_ID,
      revision: this.state.revision,
      revisionReachedAt: this.state.revisionReachedAt.toISOString(),
      startedAt: this.startedAt,
      ready: this.consumer.ready,
      staleSeconds: this.consumer.staleSeconds,
      at: new Date().toISOString(),
    };
    try {
      await this.bus.publish(Topics.decisionHeartbeats, [
        {
          key: data.instanceId,
          event: createCloudEvent({
            source: EventSources.decision,
            type: EventTypes.decisionHeartbeat,
            subject: data.instanceId,
            data,
          }),
        },
      ]);
    } catch (error) {
      this.logger.warn(`heartbeat not published: ${String(error)}`);
    }
  }
}
