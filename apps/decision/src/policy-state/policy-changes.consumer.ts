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
import { MessageBus } from '@zt/messaging';
import { ReadinessRegistry } from '@zt/observability';
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
 * under a group id of its own. Distributed replicas rebuild from the compacted topic's
 * beginning; standalone starts from policy-admin's snapshot in the same process.
 */
@Injectable()
export class PolicyChangesConsumer implements OnApplicationBootstrap {
  private readonly logger = new Logger('PolicyChangesConsumer');
  private synced = false;

  constructor(
    private readonly state: PolicyState,
    private readonly moduleRef: ModuleRef,
    private readonly readiness: ReadinessRegistry,
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RUNTIME_MODE) private readonly mode: RuntimeMode,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.readiness.register('policy-state', () =>
      Promise.resolve({
        ready: this.synced,
        detail: { revision: this.state.revision, policies: this.state.policies.size },
      }),
    );
    await this.bus.subscribe({
      topics: [Topics.policyChanges],
      // A fresh group per start: a restarted replica must re-read the whole compacted stream,
      // not resume from offsets committed by its previous life (its memory is gone).
      groupId: `decision-${this.config.INSTANCE_ID}-${randomUUID().slice(0, 8)}`,
      fromBeginning: this.mode === 'distributed',
      handler: (event) => this.handle(event),
    });
    const source = this.snapshotSource();
    if (source) this.state.load(await source.snapshot());
    this.synced = true;
    this.logger.log(
      `policy state at revision ${this.state.revision} with ${this.state.policies.size} policies`,
    );
  }

  private handle(event: CloudEvent): Promise<void> {
    if (event.type === EventTypes.principalUpserted || event.type === EventTypes.principalDeleted) {
      if (isPrincipalChange(event.data)) this.state.applyPrincipal(event.data);
      else this.logger.warn(`skipped malformed principal change ${event.id}`);
      return Promise.resolve();
    }
    if (!POLICY_EVENT_TYPES.includes(event.type)) return Promise.resolve();
    if (!isPolicyChange(event.data)) {
      this.logger.warn(`skipped malformed policy change ${event.id}`);
      return Promise.resolve();
    }
    this.state.apply(event.data);
    return Promise.resolve();
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
