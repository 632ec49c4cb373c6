import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { APP_CONFIG, AppConfig, RUNTIME_MODE, RuntimeMode } from '@zt/config';
import {
  CloudEvent,
  EventTypes,
  POLICY_SNAPSHOT_SOURCE,
  PolicyChangeData,
  PolicySnapshotSource,
  PrincipalChangeData,
  Topics,
} from '@zt/contracts';
import { DeliveryInfo, EventIntake, MessageBus } from '@zt/messaging';
import { ReadinessRegistry } from '@zt/observability';
import { PolicySnapshotClient } from './policy-snapshot.client';
import { PolicyState } from './policy-state';

const POLICY_EVENT_TYPES: string[] = [
  EventTypes.policyCreated,
  EventTypes.policyUpdated,
  EventTypes.policyDeleted,
];

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
 * When the bus is unreachable the replica keeps deciding with the last good policy set (fail
 * static, never open) and /readyz shows how long it has been out of contact.
 */
@Injectable()
export class PolicyChangesConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger('PolicyChangesConsumer');
  private synced = false;
  private pending = new Map<number, bigint>();
  private lastContact = Date.now();

  constructor(
    private readonly state: PolicyState,
    private readonly moduleRef: ModuleRef,
    private readonly readiness: ReadinessRegistry,
    private readonly snapshots: PolicySnapshotClient,
    @Inject(MessageBus) private readonly bus: MessageBus,
    private readonly intake: EventIntake,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RUNTIME_MODE) private readonly mode: RuntimeMode,
  ) {}

  /** Whether the replica holds a complete policy set (snapshot loaded or stream caught up). */
  get ready(): boolean {
    return this.synced;
  }

  /** Seconds since the consumer last heard from the bus; 0 in standalone, where the bus is in-process. */
  get staleSeconds(): number {
    return this.mode === 'standalone' ? 0 : Math.floor((Date.now() - this.lastContact) / 1000);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.readiness.register('policy-state', () =>
      Promise.resolve({
        ready: this.synced,
        detail: {
          revision: this.state.revision,
          policies: this.state.policies.size,
          caughtUp: this.pending.size === 0,
          staleSeconds: this.staleSeconds,
        },
      }),
    );
    // Everything published before this moment must be applied before the replica says ready.
    this.pending = new Map(
      [...(await this.bus.endOffsets(Topics.policyChanges))].filter(([, end]) => end > 0n),
    );
    // Behind the intake check: a refused change is never applied, but still counts as read.
    await this.bus.subscribe(
      this.intake.screened({
        topics: [Topics.policyChanges],
        // A fresh group per start: a restarted replica must re-read the whole compacted stream,
        // not resume from offsets committed by its previous life (its memory is gone).
        groupId: `decision-${this.config.INSTANCE_ID}-${randomUUID().slice(0, 8)}`,
        fromBeginning: this.mode === 'distributed',
        handler: (event, info) => this.handle(event, info),
        onPoll: () => {
          this.lastContact = Date.now();
        },
        // A skipped message still counts towards catching up: otherwise garbage at the end of the
        // topic would keep every new replica unready until the next change.
        onSkipped: (info) => this.advanceOffset(info),
      }),
    );
    const source = this.snapshotSource();
    if (source) {
      this.state.load(await source.snapshot());
      this.synced = true;
    } else {
      const snapshot = await this.snapshots.fetch();
      if (snapshot) {
        this.state.load(snapshot);
        this.synced = true;
      }
    }
    this.markSyncedWhenCaughtUp();
    this.logger.log(
      `policy state at revision ${this.state.revision} with ${this.state.policies.size} policies${this.synced ? '' : '; catching up with the policy stream'}`,
    );
  }

  private markSyncedWhenCaughtUp(): void {
    if (!this.synced && this.pending.size === 0) {
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
    if (info.partition === undefined || info.offset === undefined) return;
    const end = this.pending.get(info.partition);
    if (end !== undefined && BigInt(info.offset) >= end - 1n) {
      this.pending.delete(info.partition);
      this.markSyncedWhenCaughtUp();
    }
  }

  private apply(event: CloudEvent): void {
    if (event.type === EventTypes.principalUpserted || event.type === EventTypes.principalDeleted) {
      if (isPrincipalChange(event.data)) this.state.applyPrincipal(event.data);
      else this.logger.warn(`skipped malformed principal change ${event.id}`);
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
