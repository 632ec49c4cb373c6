import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@zt/config';
import { isCloudEvent, TopicName } from '@zt/contracts';
import { MessageBus } from '@zt/messaging';
import { tryAdvisoryLock } from '@zt/persistence';
import { DataSource } from 'typeorm';

const BATCH = 100;
// Any constant works; it names the lock that lets one relay (of many replicas) publish at a time,
// which keeps events in commit order on the topic.
const RELAY_LOCK_KEY = 7_290_001;

/**
 * Publishes outbox rows in order and marks them published. Runs on a timer and right after each
 * commit; if publishing fails the rows stay unpublished and are tried again, so an event can be
 * sent twice (consumers dedupe by event id) but never lost.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(MessageBus) private readonly bus: MessageBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), this.config.OUTBOX_POLL_MS);
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
  }

  /** Asks for a relay pass now; passes never overlap, a request during one runs after it. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.relayAll()
      .catch((error: unknown) => {
        this.logger.warn(
          `relay pass failed, will retry: ${error instanceof Error ? error.message : String(error)}`,
        );
        return 0;
      })
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Relays until the outbox is empty; returns how many events were published. */
  async relayAll(): Promise<number> {
    let total = 0;
    for (let n = await this.relayBatch(); n > 0; n = await this.relayBatch()) total += n;
    return total;
  }

  private relayBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      if (!(await tryAdvisoryLock(manager, RELAY_LOCK_KEY))) return 0;
      const rows: { id: string; topic: string; message_key: string; event: unknown }[] = await manager.query(
        `SELECT id, topic, message_key, event FROM policy_admin.outbox
          WHERE published_at IS NULL ORDER BY id LIMIT $1`,
        [BATCH],
      );
      for (const row of rows) {
        if (!isCloudEvent(row.event)) throw new Error(`outbox row ${row.id} holds no CloudEvent`);
        await this.bus.publish(row.topic as TopicName, [{ key: row.message_key, event: row.event }]);
      }
      if (rows.length > 0) {
        await manager.query(
          `UPDATE policy_admin.outbox SET published_at = now() WHERE id = ANY($1::bigint[])`,
          [rows.map((r) => r.id)],
        );
      }
      return rows.length;
    });
  }
}
