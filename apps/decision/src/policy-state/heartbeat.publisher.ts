import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@zt/config';
import { createCloudEvent, DecisionHeartbeatData, EventSources, EventTypes, Topics } from '@zt/contracts';
import { MessageBus, publishWithin } from '@zt/messaging';
import { ThrottledWarning } from '@zt/observability';
import { PolicyChangesConsumer } from './policy-changes.consumer';
import { PolicyState } from './policy-state';

// Revision changes come in bursts (an import of many policies); one heartbeat per burst is enough.
const CHANGE_DEBOUNCE_MS = 100;
const FAREWELL_TIMEOUT_MS = 2_000;

/**
 * Tells the bus, every DECISION_HEARTBEAT_SECONDS and right after every revision change, which
 * policy revision this replica has applied and since when. policy-admin's `GET /status` builds
 * the rollout view from these.
 */
@Injectable()
export class HeartbeatPublisher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('HeartbeatPublisher');
  private readonly unpublished = new ThrottledWarning((m) => this.logger.warn(m), 60_000);
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

  // Before shutdown, not at it: the bus closes in its own shutdown hook, and the farewell needs it.
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.pending);
    // The last word: the rollout view drops this replica now instead of waiting for it.
    await this.beat(true);
  }

  private async beat(stopping = false): Promise<void> {
    const data: DecisionHeartbeatData = {
      instanceId: this.config.INSTANCE_ID,
      revision: this.state.revision,
      revisionReachedAt: this.state.revisionReachedAt.toISOString(),
      startedAt: this.startedAt,
      ready: this.consumer.ready,
      staleSeconds: this.consumer.staleSeconds,
      behind: this.consumer.behind,
      lagMessages: this.consumer.lagMessages,
      ...(stopping ? { stopping: true } : {}),
      at: new Date().toISOString(),
    };
    const messages = [
      {
        key: data.instanceId,
        event: createCloudEvent({
          source: EventSources.decision,
          type: EventTypes.decisionHeartbeat,
          subject: data.instanceId,
          data,
        }),
      },
    ];
    try {
      // The farewell is bounded, so a broker that is down does not hold the shutdown.
      await (stopping
        ? publishWithin(this.bus, Topics.decisionHeartbeats, messages, FAREWELL_TIMEOUT_MS)
        : this.bus.publish(Topics.decisionHeartbeats, messages));
    } catch (error) {
      // The farewell may find the bus already closed; the view then drops the replica as silent.
      if (!stopping) this.unpublished.warn(`heartbeat not published: ${String(error)}`);
    }
  }
}
