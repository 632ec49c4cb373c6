import { Logger } from '@nestjs/common';
import { CloudEvent, isCloudEvent, TopicName } from '@zt/contracts';
import { MessageBus, publishWithin } from '@zt/messaging';
import { DataSource, EntityManager } from 'typeorm';
import { tryAdvisoryLock } from './columns';

const BATCH = 100;
// A relay pass holds its transaction (and the relay lock) while it publishes. A send that waits
// out the Kafka client's retries while the broker is down would hold both for a minute and
// delay every row behind it; past this bound the pass gives up, and the next poll sends again
// to a broker that may be back (a row sent twice is deduplicated by its event id).
const PUBLISH_TIMEOUT_MS = 5_000;
const SCHEMA_NAME = /^[a-z_]+$/;

/** One event to publish after its change commits. */
export interface OutboxMessage {
  topic: TopicName;
  key: string;
  event: CloudEvent;
}

function checkedSchema(schema: string): string {
  // The schema is spliced into SQL, so only constant identifiers of our own are accepted.
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid outbox schema ${schema}`);
  return schema;
}

/** DDL of a service's outbox table, for its migrations. */
export function outboxTableSql(schema: string): string[] {
  const s = checkedSchema(schema);
  return [
    `CREATE TABLE ${s}.outbox (
       id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
       topic text NOT NULL,
       message_key text NOT NULL,
       event jsonb NOT NULL,
       created_at timestamptz NOT NULL,
       published_at timestamptz
     )`,
    `CREATE INDEX outbox_unpublished_idx ON ${s}.outbox (id) WHERE published_at IS NULL`,
  ];
}

/**
 * Writes an event in the same transaction as the change it describes; the relay publishes it
 * afterwards. A rolled-back change leaves no row, a crash before publishing leaves an
 * unpublished one: nothing is lost and nothing is sent for a change that did not happen.
 */
export async function enqueueOutbox(
  manager: EntityManager,
  schema: string,
  message: OutboxMessage,
): Promise<void> {
  await manager.query(
    `INSERT INTO ${checkedSchema(schema)}.outbox (topic, message_key, event, created_at) VALUES ($1, $2, $3, now())`,
    [message.topic, message.key, JSON.stringify(message.event)],
  );
}

/** Where a relay reads and how it behaves. */
export interface OutboxRelayOptions {
  schema: string;
  /** Names the lock that lets one relay (of many replicas) publish at a time, keeping commit order. */
  lockKey: number;
  pollMs: number;
}

/**
 * Publishes a service's outbox rows in order and marks them published. Runs on a timer and
 * right after each commit; if publishing fails the rows stay unpublished and are tried again,
 * so an event can be sent twice (consumers dedupe by event id) but never lost. Services extend
 * it as an injectable with their schema.
 */
export class OutboxRelay {
  private readonly logger = new Logger('OutboxRelay');
  private readonly schema: string;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly bus: MessageBus,
    private readonly options: OutboxRelayOptions,
  ) {
    this.schema = checkedSchema(options.schema);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), this.options.pollMs);
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
          `${this.schema} relay pass failed, will retry: ${error instanceof Error ? error.message : String(error)}`,
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
      if (!(await tryAdvisoryLock(manager, this.options.lockKey))) return 0;
      const rows: { id: string; topic: string; message_key: string; event: unknown }[] = await manager.query(
        `SELECT id, topic, message_key, event FROM ${this.schema}.outbox
          WHERE published_at IS NULL ORDER BY id LIMIT $1`,
        [BATCH],
      );
      // Consecutive rows of one topic go out in one send, in order.
      for (let start = 0; start < rows.length;) {
        const topic = rows[start].topic;
        let end = start;
        const messages = [];
        while (end < rows.length && rows[end].topic === topic) {
          const row = rows[end++];
          if (!isCloudEvent(row.event)) throw new Error(`outbox row ${row.id} holds no CloudEvent`);
          messages.push({ key: row.message_key, event: row.event });
        }
        await publishWithin(this.bus, topic as TopicName, messages, PUBLISH_TIMEOUT_MS);
        start = end;
      }
      if (rows.length > 0) {
        await manager.query(
          `UPDATE ${this.schema}.outbox SET published_at = now() WHERE id = ANY($1::bigint[])`,
          [rows.map((r) => r.id)],
        );
      }
      return rows.length;
    });
  }
}
