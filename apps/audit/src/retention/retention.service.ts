import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@zt/config';
import { EventSources, EventTypes } from '@zt/contracts';
import { ReadinessRegistry } from '@zt/observability';
import { Counter, Registry } from 'prom-client';
import { AuditRepository } from '../records/audit.repository';

/** Data of the `com.zt.audit.retention` record appended with every pruning. */
export interface AuditRetentionData {
  throughSeq: number;
  removedRecords: number;
  retentionSeconds: number;
  cutoff: string;
}

/**
 * Keeps records for AUDIT_RETENTION_SECONDS (0, the default: forever). Records are removed only
 * up to a signed checkpoint that is older than the retention and that the SIEM stream has
 * passed; the checkpoint stays as the chain's anchor, so what remains verifies, online and
 * offline. Each pruning appends a record saying what was removed, in the same transaction, and
 * counts it in metrics and /readyz: retention is never silent.
 */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('RetentionService');
  private readonly pruned: Counter;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private last: { at: string; throughSeq: number; removed: number } | undefined;

  constructor(
    private readonly repository: AuditRepository,
    private readonly readiness: ReadinessRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Registry) metrics: Registry,
  ) {
    this.pruned = new Counter({
      name: 'zt_audit_records_pruned_total',
      help: 'Audit records removed by retention (each removal is itself recorded in the chain).',
      registers: [metrics],
    });
  }

  onApplicationBootstrap(): void {
    const seconds = this.config.AUDIT_RETENTION_SECONDS;
    this.readiness.register('audit-retention', () =>
      Promise.resolve({
        ready: true,
        detail:
          seconds === 0
            ? { retention: 'forever' }
            : { retentionSeconds: seconds, ...(this.last ? { last: this.last } : {}) },
      }),
    );
    if (seconds === 0) return;
    this.timer = setInterval(() => this.kick(), this.config.AUDIT_RETENTION_CHECK_SECONDS * 1000);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private kick(): void {
    this.running ??= this.prune()
      .then(() => undefined)
      .catch((error: unknown) => this.logger.warn(`retention pass failed, will retry: ${String(error)}`))
      .finally(() => {
        this.running = null;
      });
  }

  /** Prunes what retention allows now; returns how many records were removed. */
  async prune(now = new Date()): Promise<number> {
    const seconds = this.config.AUDIT_RETENTION_SECONDS;
    if (seconds === 0) return 0;
    const cutoff = new Date(now.getTime() - seconds * 1000);
    const through = await this.repository.prunableCheckpoint(cutoff);
    if (through === undefined) return 0;
    const removed = await this.repository.pruneThrough(through, (count) => {
      const data: AuditRetentionData = {
        throughSeq: through,
        removedRecords: count,
        retentionSeconds: seconds,
        cutoff: cutoff.toISOString(),
      };
      return {
        eventId: randomUUID(),
        eventTime: now.toISOString(),
        type: EventTypes.auditRetention,
        source: EventSources.audit,
        actor: EventSources.audit,
        subject: String(through),
        payload: data,
      };
    });
    if (removed > 0) {
      this.pruned.inc(removed);
      this.last = { at: now.toISOString(), throughSeq: through, removed };
      this.logger.log(
        `retention removed ${removed} audit records through ${through}; the chain is anchored there`,
      );
    }
    return removed;
  }
}
