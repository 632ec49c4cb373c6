import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { StreamStatus } from './ssf-bodies.schema';
import type { SubjectId } from './subject-id';

/** A receiver's stream as stored. */
export interface StoredStream {
  streamId: string;
  owner: string;
  audience: string;
  eventsRequested: string[];
  deliveryMethod: string;
  description: string | null;
  status: StreamStatus;
  reason: string | null;
}

interface StreamRow {
  stream_id: string;
  owner: string;
  audience: string;
  events_requested: string[];
  delivery_method: string;
  description: string | null;
  status: StreamStatus;
  reason: string | null;
}

const STREAM_COLUMNS = `stream_id, owner, audience, events_requested, delivery_method, description, status, reason`;

function stream(row: StreamRow): StoredStream {
  return {
    streamId: row.stream_id,
    owner: row.owner,
    audience: row.audience,
    eventsRequested: row.events_requested,
    deliveryMethod: row.delivery_method,
    description: row.description,
    status: row.status,
    reason: row.reason,
  };
}

/** SQL of the SSF transmitter: streams, their subjects and their pending SETs. */
@Injectable()
export class SsfRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The stream, or undefined; `owner` undefined reads any stream (infra_admin). */
  async stream(streamId: string, owner: string | undefined): Promise<StoredStream | undefined> {
    const rows: StreamRow[] = await this.dataSource.query(
      `SELECT ${STREAM_COLUMNS} FROM device_intelligence.ssf_streams
        WHERE stream_id = $1 AND ($2::text IS NULL OR owner = $2)`,
      [streamId, owner ?? null],
    );
    return rows[0] ? stream(rows[0]) : undefined;
  }

  async streams(owner: string | undefined, limit: number): Promise<StoredStream[]> {
    const rows: StreamRow[] = await this.dataSource.query(
      `SELECT ${STREAM_COLUMNS} FROM device_intelligence.ssf_streams
        WHERE ($1::text IS NULL OR owner = $1) ORDER BY created_at, stream_id LIMIT $2`,
      [owner ?? null, limit],
    );
    return rows.map(stream);
  }

  async countStreams(owner: string): Promise<number> {
    const rows: { n: string }[] = await this.dataSource.query(
      `SELECT count(*) AS n FROM device_intelligence.ssf_streams WHERE owner = $1`,
      [owner],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async insertStream(s: StoredStream, at: Date): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO device_intelligence.ssf_streams (${STREAM_COLUMNS}, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
      [
        s.streamId,
        s.owner,
        s.audience,
        JSON.stringify(s.eventsRequested),
        s.deliveryMethod,
        s.description,
        s.status,
        s.reason,
        at,
      ],
    );
  }

  /** Writes the receiver-supplied members and the status of a stream. */
  async updateStream(s: StoredStream, at: Date): Promise<void> {
    await this.dataSource.query(
      `UPDATE device_intelligence.ssf_streams
          SET events_requested = $2, delivery_method = $3, description = $4, status = $5, reason = $6,
              updated_at = $7
        WHERE stream_id = $1`,
      [
        s.streamId,
        JSON.stringify(s.eventsRequested),
        s.deliveryMethod,
        s.description,
        s.status,
        s.reason,
        at,
      ],
    );
  }

  async deleteStream(streamId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM device_intelligence.ssf_streams WHERE stream_id = $1`, [
      streamId,
    ]);
  }

  async countSubjects(streamId: string): Promise<number> {
    const rows: { n: string }[] = await this.dataSource.query(
      `SELECT count(*) AS n FROM device_intelligence.ssf_subjects WHERE stream_id = $1`,
      [streamId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Adds a subject, or updates its `verified` flag when the stream already has it. */
  async upsertSubject(
    streamId: string,
    key: string,
    subject: SubjectId,
    verified: boolean,
    at: Date,
  ): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO device_intelligence.ssf_subjects (stream_id, subject_key, subject, verified, added_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (stream_id, subject_key) DO UPDATE SET verified = EXCLUDED.verified`,
      [streamId, key, JSON.stringify(subject), verified, at],
    );
  }

  async hasSubject(streamId: string, key: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM device_intelligence.ssf_subjects WHERE stream_id = $1 AND subject_key = $2`,
      [streamId, key],
    );
    return rows.length > 0;
  }

  /** Removes a subject; false when the stream did not have it. */
  async deleteSubject(streamId: string, key: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      // A CTE: TypeORM answers a bare DELETE ... RETURNING with [rows, count].
      `WITH gone AS (DELETE FROM device_intelligence.ssf_subjects WHERE stream_id = $1 AND subject_key = $2 RETURNING 1)
       SELECT 1 FROM gone`,
      [streamId, key],
    );
    return rows.length > 0;
  }

  async countPending(streamId: string): Promise<number> {
    const rows: { n: string }[] = await this.dataSource.query(
      `SELECT count(*) AS n FROM device_intelligence.ssf_pending_sets WHERE stream_id = $1`,
      [streamId],
    );
    return Number(rows[0]?.n ?? 0);
  }

  async enqueue(streamId: string, jti: string, jwt: string, at: Date): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO device_intelligence.ssf_pending_sets (stream_id, jti, set_jwt, queued_at) VALUES ($1, $2, $3, $4)`,
      [streamId, jti, jwt, at],
    );
  }

  /** Forgets the SETs the receiver acknowledged (or reported errors on); unknown jtis are ignored. */
  async acknowledge(streamId: string, jtis: string[]): Promise<void> {
    if (jtis.length === 0) return;
    await this.dataSource.query(
      `DELETE FROM device_intelligence.ssf_pending_sets WHERE stream_id = $1 AND jti = ANY($2::text[])`,
      [streamId, jtis],
    );
  }

  /** Drops every SET waiting in a stream (it was disabled). */
  async dropPending(streamId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM device_intelligence.ssf_pending_sets WHERE stream_id = $1`, [
      streamId,
    ]);
  }

  /** The oldest pending SETs, at most `limit` of them. */
  async pending(streamId: string, limit: number): Promise<{ jti: string; jwt: string }[]> {
    const rows: { jti: string; set_jwt: string }[] = await this.dataSource.query(
      `SELECT jti, set_jwt FROM device_intelligence.ssf_pending_sets WHERE stream_id = $1 ORDER BY seq LIMIT $2`,
      [streamId, limit],
    );
    return rows.map((r) => ({ jti: r.jti, jwt: r.set_jwt }));
  }
}
