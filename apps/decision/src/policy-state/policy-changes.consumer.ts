import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { APP_CONFIG, AppConfig, RUNTIME_MODE, RuntimeMode } from '@zt/config';
import {
  CloudEvent,
  EventTypes,
  eventValidators,
  POLICY_SNAPSHOT_SOURCE,
  PolicyChangeData,
  PolicySnapshotSource,
  PrincipalChangeData,
  ResourceChangeData,
  Topics,
} from '@zt/contracts';
import { DeliveryInfo, EventIntake, MessageBus, StreamPosition } from '@zt/messaging';
import { ReadinessRegistry } from '@zt/observability';
import { Gauge, Registry } from 'prom-client';
import { PolicySnapshotClient } from './policy-snapshot.client';
import { PolicyState } from './policy-state';

// How often a distributed replica asks the broker how far the policy topic goes.
const LAG_CHECK_MS = 1_000;
// How long a replica may hold known, unapplied changes before it says it is behind: a change in
// flight takes milliseconds, a consumer waiting to rejoin its group takes seconds.
const BEHIND_AFTER_MS = 3_000;
// Out of contact with the broker this long, a replica says it is degraded (still serving).
const DEGRADED_AFTER_SECONDS = 10;

const POLICY_EVENT_TYPES: string[] = [
  EventTypes.policyCreated,
  EventTypes.policyUpdated,
  EventTypes.policyDeleted,
];

// What this consumer applies, with the schemas of `/asyncapi.json`: an invalid change is
// dead-lettered by the intake, never applied.
const POLICY_TOPIC_ACCEPTS = {
  consumer: 'decision',
  validators: eventValidators(
    EventTypes.policyCreated,
    EventTypes.policyUpdated,
    EventTypes.policyDeleted,
    EventTypes.principalUpserted,
    EventTypes.principalDeleted,
    EventTypes.resourceUpserted,
    EventTypes.resourceDeleted,
  ),
};

function isPrincipalChange(data: unknown): data is PrincipalChangeData {
  if (typeof data !== 'object' || data === null) return false;
  const d = data as Record<string, unknown>;
  const p = d.principal as Record<string, unknown> | null;
  return (
    typeof d.principalId === 'string' &&
    Number.isSafeInteger(d.revision) &&
    (p === null ||
      (typeof p === 'object' &&
        typeof p.id === 'string' &&
        Array.isArray(p.roles) &&
        p.roles.every((r) => typeof r === 'string') &&
        Array.isArray(p.groups) &&
        p.groups.every((g) => typeof g === 'string') &&
        typeof p.attributes === 'object' &&
        p.attributes !== null))
  );
}

/** A resource change as policy-admin publishes it: the resource, when present, is the one keyed. */
export function isResourceChange(data: unknown): data is ResourceChangeData {
  if (typeof data !== 'object' || data === null) return false;
  const d = data as Record<string, unknown>;
  const r = d.resource as Record<string, unknown> | null;
  return (
    typeof d.resourceType === 'string' &&
    typeof d.resourceId === 'string' &&
    Number.isSafeInteger(d.revision) &&
    (r === null ||
      (typeof r === 'object' &&
        r.type === d.resourceType &&
        r.id === d.resourceId &&
        typeof r.properties === 'object' &&
        r.properties !== null &&
        !Array.isArray(r.properties)))
  );
}

function isPolicyChange(data: unknown): data is PolicyChangeData {
  if (typeof data !== 'object' || data === null) return false;
  const d = data as Record<string, unknown>;
  return (
    typeof d.policyId === 'string' &&
    Number.isSafeInteger(d.revision) &&
    Number.isSafeInteger(d.version) &&
    (d.format === 'zt' || d.format === 'nist' || d.format === 'ztna') &&
    (d.document === null || (typeof d.document === 'object' && !Array.isArray(d.document)))
  );
}

/**
 * Keeps {@link PolicyState} in step with the bus. Every replica reads the whole policy stream
 * under a group id of its own. A distributed replica starts from policy-admin's snapshot over
 * HTTP when POLICY_ADMIN_URL is set, and in any case replays the compacted topic from its
 * beginning; it is ready once it holds the snapshot or has caught up with every change published
 * before it started. Standalone starts from policy-admin's snapshot in the same process.
 *
 * Afterwards a distributed replica asks the broker every second how far the topic goes. When the
 * broker holds changes the replica has not applied for more than a moment, the replica knows it
 * is behind and says so: /readyz answers 503 and the heartbeat carries it, so no balancer keeps
 * sending it requests it would answer from an outdated policy set. When the broker cannot be
 * reached at all, nobody can know of newer changes: the replica keeps deciding with the last
 * good policy set (fail static, never open) and /readyz says it is degraded.
 */
@Injectable()
export class PolicyChangesConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('PolicyChangesConsumer');
  private synced = false;
  private readonly position = new StreamPosition();
  private lastContact = Date.now();
  private behindSince: number | undefined;
  private lagTimer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(
    private readonly state: PolicyState,
    private readonly moduleRef: ModuleRef,
    private readonly readiness: ReadinessRegistry,
    private readonly snapshots: PolicySnapshotClient,
    @Inject(MessageBus) private readonly bus: MessageBus,
    private readonly intake: EventIntake,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RUNTIME_MODE) private readonly mode: RuntimeMode,
    @Inject(Registry) metrics: Registry,
  ) {
    // Read at scrape time: the gauges cost nothing between scrapes.
    const lagMessages = (): number => this.lagMessages;
    const staleSeconds = (): number => this.staleSeconds;
    new Gauge({
      name: 'zt_policy_lag_messages',
      help: 'Policy-topic messages the broker holds that this replica has not applied.',
      registers: [metrics],
      collect() {
        this.set(lagMessages());
      },
    });
    new Gauge({
      name: 'zt_policy_stale_seconds',
      help: 'Seconds since this replica last heard from the bus (0 standalone).',
      registers: [metrics],
      collect() {
        this.set(staleSeconds());
      },
    });
  }

  /** Whether the replica holds a complete policy set (snapshot loaded or stream caught up). */
  get ready(): boolean {
    return this.synced;
  }

  /** Seconds since the consumer last heard from the bus; 0 in standalone, where the bus is in-process. */
  get staleSeconds(): number {
    return this.mode === 'standalone' ? 0 : Math.floor((Date.now() - this.lastContact) / 1000);
  }

  /** Policy-topic messages the broker is known to hold that the replica has not applied. */
  get lagMessages(): number {
    return Number(this.position.lag());
  }

  /** True when the replica has held known, unapplied changes for longer than a moment. */
  get behind(): boolean {
    return this.behindSince !== undefined && Date.now() - this.behindSince > BEHIND_AFTER_MS;
  }

  onApplicationShutdown(): void {
    clearInterval(this.lagTimer);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.readiness.register('policy-state', () =>
      Promise.resolve({
        ready: this.synced && !this.behind,
        degraded: this.staleSeconds >= DEGRADED_AFTER_SECONDS,
        detail: {
          revision: this.state.revision,
          policies: this.state.policies.size,
          caughtUp: this.position.caughtUp(),
          behind: this.behind,
          lagMessages: this.lagMessages,
          staleSeconds: this.staleSeconds,
        },
      }),
    );
    // Everything published before this moment must be applied before the replica says ready.
    const startEnds = await this.bus.endOffsets(Topics.policyChanges);
    this.position.expect(startEnds);
    const source = this.snapshotSource();
    if (source) {
      // Standalone: the bus keeps no history, so subscribe first and lose nothing published
      // while the snapshot is read (the revision check skips what the snapshot already holds).
      await this.subscribe(undefined);
      this.state.load(await source.snapshot());
      this.synced = true;
    } else {
      // Distributed: the snapshot first, then the topic from where the snapshot ends. Every
      // message below the end offsets read above was committed before the snapshot was taken
      // (the outbox publishes only after commit), so the snapshot holds it: reading the topic
      // from there spares a replay of the whole topic, which would compete with the start.
      const snapshot = await this.snapshots.fetch();
      if (snapshot) {
        this.state.load(snapshot);
        this.synced = true;
        for (const [partition, end] of startEnds) {
          if (end > 0n) this.position.pass({ partition, offset: String(end - 1n) });
        }
      }
      await this.subscribe(snapshot ? startEnds : undefined);
    }
    this.markSyncedWhenCaughtUp();
    if (this.mode === 'distributed') this.lagTimer = setInterval(() => void this.checkLag(), LAG_CHECK_MS);
    this.logger.log(
      `policy state at revision ${this.state.revision} with ${this.state.policies.size} policies${this.synced ? '' : '; catching up with the policy stream'}`,
    );
  }

  /** Learns how far the topic goes; an answer is contact with the broker, as a poll is. */
  private async checkLag(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      this.position.expect(await this.bus.endOffsets(Topics.policyChanges));
      this.lastContact = Date.now();
      this.updateBehind();
    } catch {
      // Out of reach: staleSeconds grows and says so; whether the replica is behind is unknown.
    } finally {
      this.checking = false;
    }
  }

  private updateBehind(): void {
    if (this.position.caughtUp()) {
      if (this.behind) this.logger.log(`caught up again at revision ${this.state.revision}`);
      this.behindSince = undefined;
    } else {
      const wasBehind = this.behind;
      this.behindSince ??= Date.now();
      if (!wasBehind && this.behind) {
        this.logger.warn(
          `behind the policy stream by ${this.lagMessages} messages at revision ${this.state.revision}`,
        );
      }
    }
  }

  /** Reads the policy topic from its beginning, or from the given offsets. */
  private subscribe(startAt: Map<number, bigint> | undefined): Promise<void> {
    // Behind the intake check: a refused change is never applied, but still counts as read.
    return this.bus.subscribe(
      this.intake.screened(
        {
          topics: [Topics.policyChanges],
          // A fresh group per start: a restarted replica must re-read the compacted stream, not
          // resume from offsets committed by its previous life (its memory is gone).
          groupId: `decision-${this.config.INSTANCE_ID}-${randomUUID().slice(0, 8)}`,
          fromBeginning: this.mode === 'distributed',
          ...(startAt ? { startAt } : {}),
          privateGroup: true,
          handler: (event, info) => this.handle(event, info),
          onPoll: () => {
            this.lastContact = Date.now();
          },
          // A skipped message still counts towards catching up: otherwise garbage at the end of the
          // topic would keep every new replica unready until the next change.
          onSkipped: (info) => this.advanceOffset(info),
        },
        POLICY_TOPIC_ACCEPTS,
      ),
    );
  }

  private markSyncedWhenCaughtUp(): void {
    if (!this.synced && this.position.caughtUp()) {
      this.synced = true;
      this.logger.log(`caught up with the policy stream at revision ${this.state.revision}`);
    }
  }

  private handle(event: CloudEvent, info: DeliveryInfo): Promise<void> {
    this.lastContact = Date.now();
    this.apply(event);
    this.advanceOffset(info);
    return Promise.resolve();
  }

  private advanceOffset(info: DeliveryInfo): void {
    this.position.pass(info);
    this.markSyncedWhenCaughtUp();
    if (this.behindSince !== undefined) this.updateBehind();
  }

  private apply(event: CloudEvent): void {
    if (event.type === EventTypes.principalUpserted || event.type === EventTypes.principalDeleted) {
      if (isPrincipalChange(event.data)) this.state.applyPrincipal(event.data);
      else this.logger.warn(`skipped malformed principal change ${event.id}`);
      return;
    }
    if (event.type === EventTypes.resourceUpserted || event.type === EventTypes.resourceDeleted) {
      if (isResourceChange(event.data)) this.state.applyResource(event.data);
      else this.logger.warn(`skipped malformed resource change ${event.id}`);
      return;
    }
    if (!POLICY_EVENT_TYPES.includes(event.type)) return;
    if (!isPolicyChange(event.data)) {
      this.logger.warn(`skipped malformed policy change ${event.id}`);
      return;
    }
    this.state.apply(event.data);
  }

  /** policy-admin's in-process snapshot, present only when both run in one process. */
  private snapshotSource(): PolicySnapshotSource | undefined {
    try {
      return this.moduleRef.get<PolicySnapshotSource>(POLICY_SNAPSHOT_SOURCE, { strict: false });
    } catch {
      return undefined;
    }
  }
}
