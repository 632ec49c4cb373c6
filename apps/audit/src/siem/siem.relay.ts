import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createCloudEvent, EventSources, EventTypes, Topics } from '@zt/contracts';
import { MessageBus, StreamPublisher } from '@zt/messaging';
import { tryAdvisoryLock } from '@zt/persistence';
import { DataSource } from 'typeorm';
import { AuditRecordEntity, sealedOf } from '../records/audit-record.entity';

// Records per relay transaction: audit ingest appends thousands a second, and each transaction
// costs its round trips whatever its size.
const BATCH = 500;
const INTERVAL_MS = 500;
// Names the lock that lets one audit replica at a time publish, keeping the topic in seq order.
const RELAY_LOCK_KEY = 7_290_003;

/** The sealed record as SIEMs receive it on zt.audit.events. */
export function sealedRecordEvent(record: AuditRecordEntity) {
  return createCloudEvent({
    // Deterministic: a record published twice (after a crash) is recognisably the same event.
    id: `audit-${record.seq}`,
    source: EventSources.audit,
    type: EventTypes.auditRecord,
    subject: record.eventId,
    time: record.recordedAt,
    data: sealedOf(record),
  });
}

/**
 * Publishes sealed records to `zt.audit.events` in sequence order, after they are committed. The
 * records table is append-only, so progress lives in a one-row cursor moved in the same
 * transaction that holds the relay lock; a crash re-sends at most one batch, never skips one.
 * The topic carries every record the service ingests, so it has a publisher of its own (on Kafka,
 * a producer in a worker thread): its encoding would otherwise share the thread that chains them.
 */
@Injectable()
export class SiemRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SiemRelay');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private publisher: StreamPublisher | undefined;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MessageBus) private readonly bus: MessageBus,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), INTERVAL_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
    await this.publisher?.close();
  }

  /** The topic's own publisher, opened on first use. */
  private get stream(): StreamPublisher {
    this.publisher ??= this.bus.openPublisher({
      onThreadExit: (reason) => this.logger.warn(`SIEM relay producer thread stopped: ${reason}`),
    });
    return this.publisher;
  }

  /** Starts a relay pass unless one is running. */
  kick(): void {
    this.running ??= this.relayAll()
      .catch((error: unknown) => this.logger.warn(`SIEM relay pass failed, will retry: ${String(error)}`))
      .finally(() => {
        this.running = null;
      });
  }

  private async relayAll(): Promise<void> {
    while ((await this.relayBatch()) === BATCH);
  }

  private relayBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      if (!(await tryAdvisoryLock(manager, RELAY_LOCK_KEY))) return 0;
      const cursor: { seq: string }[] = await manager.query(
        `SELECT seq FROM audit.siem_cursor WHERE id = 1 FOR UPDATE`,
      );
      const records = await manager
        .getRepository(AuditRecordEntity)
        .createQueryBuilder('r')
        .where('r.seq > :after', { after: Number(cursor[0].seq) })
        .orderBy('r.seq', 'ASC')
        .limit(BATCH)
        .getMany();
      if (records.length === 0) return 0;
      await this.stream.publish(
        Topics.auditEvents,
        records.map((r) => ({ key: String(r.seq), event: sealedRecordEvent(r) })),
      );
      await manager.query(`UPDATE audit.siem_cursor SET seq = $1 WHERE id = 1`, [
        records[records.length - 1].seq,
      ]);
      return records.length;
    });
  }
}
