import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@zt/config';
import { CloudEvent, DecisionHeartbeatData, EventTypes, eventValidators, Topics } from '@zt/contracts';
import { EventIntake, MessageBus } from '@zt/messaging';
import { DataSource } from 'typeorm';
import { RolloutStatus, rolloutStatus } from './rollout-status';

function isHeartbeat(data: unknown): data is DecisionHeartbeatData {
  if (typeof data !== 'object' || data === null) return false;
  const d = data as Record<string, unknown>;
  return (
    typeof d.instanceId === 'string' &&
    Number.isSafeInteger(d.revision) &&
    typeof d.revisionReachedAt === 'string' &&
    typeof d.at === 'string' &&
    typeof d.ready === 'boolean' &&
    typeof d.staleSeconds === 'number' &&
    (d.behind === undefined || typeof d.behind === 'boolean') &&
    (d.lagMessages === undefined || typeof d.lagMessages === 'number') &&
    (d.stopping === undefined || typeof d.stopping === 'boolean')
  );
}

// Judgement calls: three missed heartbeats make a replica silent; ten minutes of silence, gone.
const MISSED_HEARTBEATS = 3;
const FORGET_AFTER_MS = 600_000;
const MAX_REPLICAS = 10_000;

/**
 * Follows `zt.decision.heartbeats` (a consumer group of this instance's own: every admin replica
 * sees every heartbeat) and answers the rollout view of `GET /status`.
 */
@Injectable()
export class RolloutTracker implements OnApplicationBootstrap {
  private readonly latest = new Map<string, DecisionHeartbeatData>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly intake: EventIntake,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Behind the intake check with the heartbeat's schema (`/asyncapi.json`): an invalid one is
    // dead-lettered, never shown in the rollout view.
    await this.bus.subscribe(
      this.intake.screened(
        {
          topics: [Topics.decisionHeartbeats],
          groupId: `policy-admin-rollout-${this.config.INSTANCE_ID}-${randomUUID().slice(0, 8)}`,
          fromBeginning: false,
          privateGroup: true,
          handler: (event) => {
            this.handle(event);
            return Promise.resolve();
          },
        },
        { consumer: 'policy-admin', validators: eventValidators(EventTypes.decisionHeartbeat) },
      ),
    );
  }

  private handle(event: CloudEvent): void {
    if (event.type !== EventTypes.decisionHeartbeat || !isHeartbeat(event.data)) return;
    const known = this.latest.get(event.data.instanceId);
    if (known && known.at > event.data.at) return;
    if (event.data.stopping) {
      this.latest.delete(event.data.instanceId);
      return;
    }
    if (!known && this.latest.size >= MAX_REPLICAS) return;
    this.latest.set(event.data.instanceId, event.data);
  }

  async status(): Promise<RolloutStatus> {
    const rows: { revision: string; committed_at: Date | null }[] = await this.dataSource.query(
      `SELECT r.value AS revision, l.committed_at
         FROM policy_admin.revision r LEFT JOIN policy_admin.revision_log l ON l.revision = r.value
        WHERE r.id = 1`,
    );
    const revision = Number(rows[0]?.revision ?? 0);
    return rolloutStatus(revision, rows[0]?.committed_at ?? null, this.latest.values(), new Date(), {
      silentAfterMs: MISSED_HEARTBEATS * this.config.DECISION_HEARTBEAT_SECONDS * 1000,
      forgetAfterMs: FORGET_AFTER_MS,
    });
  }
}
