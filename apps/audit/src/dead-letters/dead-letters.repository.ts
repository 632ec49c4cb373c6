import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditRepository, NewAuditRecord } from '../records/audit.repository';
import { DeadLetterReason, DeadLetterRow, DeadLetterView } from './dead-letter';

interface DeadLetterDbRow {
  id: string;
  received_at: Date;
  reason: DeadLetterReason;
  detail: string;
  topic: string;
  kafka_partition: number | null;
  kafka_offset: string | null;
  message_id: string;
  message_type: string;
  entry_index: number | null;
  raw: Buffer;
  raw_sha256: string;
}

/** Filters of the dead-letter listing; `after` is the cursor (an id). */
export interface DeadLetterQuery {
  reason?: string;
  after?: number;
  limit: number;
}

/** Stores and reads the dead letters (`audit.dead_letters`). */
@Injectable()
export class DeadLettersRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly records: AuditRepository,
  ) {}

  /**
   * Stores a dead letter and, in the same transaction, appends the chain record that says so.
   * Returns its id, or undefined when this arrival was already stored (a redelivered message).
   */
  add(row: DeadLetterRow, recordOf: (id: number) => NewAuditRecord): Promise<number | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const inserted: { id: string }[] = await manager.query(
        `INSERT INTO audit.dead_letters (arrival_key, received_at, reason, detail, topic, kafka_partition,
           kafka_offset, message_id, message_type, entry_index, raw, raw_sha256)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (arrival_key) DO NOTHING RETURNING id`,
        [
          row.arrivalKey,
          row.receivedAt,
          row.reason,
          row.detail,
          row.topic,
          row.partition,
          row.offset,
          row.messageId,
          row.messageType,
          row.entryIndex,
          row.raw,
          row.rawSha256,
        ],
      );
      if (inserted.length === 0) return undefined;
      const id = Number(inserted[0].id);
      await this.records.appendWith(manager, recordOf(id));
      return id;
    });
  }

  /** Dead letters after `after` in the order they were stored, at most `limit`. */
  async list(query: DeadLetterQuery): Promise<DeadLetterView[]> {
    const rows: DeadLetterDbRow[] = await this.dataSource.query(
      `SELECT id, received_at, reason, detail, topic, kafka_partition, kafka_offset, message_id,
              message_type, entry_index, raw, raw_sha256
         FROM audit.dead_letters
        WHERE id > $1 AND ($2::text IS NULL OR reason = $2)
        ORDER BY id LIMIT $3`,
      [query.after ?? 0, query.reason ?? null, query.limit],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      received_at: r.received_at.toISOString(),
      reason: r.reason,
      detail: r.detail,
      topic: r.topic,
      partition: r.kafka_partition,
      offset: r.kafka_offset,
      message_id: r.message_id,
      message_type: r.message_type,
      entry_index: r.entry_index,
      raw_base64: r.raw.toString('base64'),
      raw_sha256: r.raw_sha256,
    }));
  }
}
