import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';

/** A committed revision and when it was committed (null before policy-admin kept the time). */
export interface CommittedRevision {
  revision: number;
  committedAt: Date | null;
}

/** The records of a past state as JSON text, in the shape of PolicySnapshot's records. */
export interface HistoricalRecords {
  policies: string[];
  principals: string[];
  resources: string[];
}

const asDate = (value: Date | string | null): Date | null => (value === null ? null : new Date(value));

/** Reads of the history inside one REPEATABLE READ transaction: every read sees one state. */
export class HistoryReader {
  constructor(private readonly manager: EntityManager) {}

  /** The revision the directories' history starts at (the counter when it was created). */
  async start(): Promise<number> {
    const rows: { revision: string }[] = await this.manager.query(
      `SELECT revision FROM policy_admin.history_start WHERE id = 1`,
    );
    return Number(rows[0].revision);
  }

  /** The policy set's current revision. */
  async current(): Promise<number> {
    const rows: { value: string }[] = await this.manager.query(
      `SELECT value FROM policy_admin.revision WHERE id = 1`,
    );
    return Number(rows[0].value);
  }

  /** The last revision committed at or before `at`, or undefined when none was logged by then. */
  async lastCommittedAt(at: Date): Promise<CommittedRevision | undefined> {
    const rows: { revision: string; committed_at: Date | string }[] = await this.manager.query(
      `SELECT revision, committed_at FROM policy_admin.revision_log
        WHERE committed_at <= $1 ORDER BY committed_at DESC, revision DESC LIMIT 1`,
      [at.toISOString()],
    );
    if (rows.length === 0) return undefined;
    return { revision: Number(rows[0].revision), committedAt: asDate(rows[0].committed_at) };
  }

  /** When `revision` was committed, or null when that was not logged. */
  async committedAt(revision: number): Promise<Date | null> {
    const rows: { committed_at: Date | string }[] = await this.manager.query(
      `SELECT committed_at FROM policy_admin.revision_log WHERE revision = $1`,
      [revision],
    );
    return rows.length === 0 ? null : asDate(rows[0].committed_at);
  }

  /**
   * Every policy, principal and resource as of `revision`: for each, its newest history row at or
   * below the revision, unless that row is a delete. PostgreSQL writes the JSON, as for the
   * current snapshot (policies.repository.ts).
   */
  async records(revision: number): Promise<HistoricalRecords> {
    const policies: { record: string }[] = await this.manager.query(
      `SELECT json_build_object('policyId', policy_id, 'version', version, 'revision', revision,
                'format', format, 'document', document)::text AS record
         FROM (SELECT DISTINCT ON (policy_id) policy_id, version, revision, format, document
                 FROM policy_admin.policy_versions WHERE revision <= $1
                ORDER BY policy_id, version DESC) AS v
        WHERE document IS NOT NULL ORDER BY policy_id`,
      [revision],
    );
    const principals: { record: string }[] = await this.manager.query(
      `SELECT json_build_object('principalId', principal_id, 'revision', revision,
                'principal', principal)::text AS record
         FROM (SELECT DISTINCT ON (principal_id) principal_id, revision, principal
                 FROM policy_admin.principal_versions WHERE revision <= $1
                ORDER BY principal_id, revision DESC) AS v
        WHERE principal IS NOT NULL ORDER BY principal_id`,
      [revision],
    );
    const resources: { record: string }[] = await this.manager.query(
      `SELECT json_build_object('resourceType', type, 'resourceId', id, 'revision', revision,
                'resource', json_build_object('type', type, 'id', id, 'properties', properties))::text AS record
         FROM (SELECT DISTINCT ON (type, id) type, id, revision, properties
                 FROM policy_admin.resource_versions WHERE revision <= $1
                ORDER BY type, id, revision DESC) AS v
        WHERE properties IS NOT NULL ORDER BY type, id`,
      [revision],
    );
    return {
      policies: policies.map((r) => r.record),
      principals: principals.map((r) => r.record),
      resources: resources.map((r) => r.record),
    };
  }
}

/** The history tables of policy-admin (policy_versions, principal_versions, resource_versions, revision_log). */
@Injectable()
export class HistoryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Runs `work` over one consistent view of the history. */
  read<T>(work: (reader: HistoryReader) => Promise<T>): Promise<T> {
    return this.dataSource.transaction('REPEATABLE READ', (manager) => work(new HistoryReader(manager)));
  }
}
