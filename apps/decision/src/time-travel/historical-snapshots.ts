import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import {
  HISTORICAL_SNAPSHOT_SOURCE,
  HISTORY_NOT_AVAILABLE,
  HistoricalSnapshot,
  HistoricalSnapshotQuery,
  HistoricalSnapshotSource,
} from '@zt/contracts';
import { OUTAGE_RETRY_AFTER_SECONDS, ProblemError } from '@zt/http';
import { PolicySnapshotClient } from '../policy-state/policy-snapshot.client';

/** 503: the past state cannot be read now. Never answered from the current state instead. */
export function historyUnavailable(why: string): ProblemError {
  return new ProblemError(
    503,
    'DEPENDENCY_UNAVAILABLE',
    `The policy state of the past cannot be read from policy-admin (${why}); retry later.`,
    { headers: { 'retry-after': String(OUTAGE_RETRY_AFTER_SECONDS) } },
  );
}

function isHistoricalSnapshot(value: unknown): value is HistoricalSnapshot {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  const asOf = s.as_of as Record<string, unknown> | null | undefined;
  return (
    Number.isSafeInteger(s.revision) &&
    Array.isArray(s.policies) &&
    Array.isArray(s.principals) &&
    typeof asOf === 'object' &&
    asOf !== null &&
    asOf.revision === s.revision
  );
}

/**
 * What policy-admin's answer to `policies:snapshot?at=|revision=` means here: the snapshot, or
 * its 422 HISTORY_NOT_AVAILABLE passed on as it came, or else 503 (an unreadable past is not
 * replaced by another revision's state).
 */
export function snapshotOfAnswer(answer: { status: number; body: unknown }): HistoricalSnapshot {
  const { status, body } = answer;
  if (status === 200 && isHistoricalSnapshot(body)) return body;
  const problem = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (status === 422 && problem.code === HISTORY_NOT_AVAILABLE) {
    const detail =
      typeof problem.detail === 'string' ? problem.detail : 'The history does not go back so far.';
    const { history_start, current_revision } = problem;
    throw new ProblemError(422, HISTORY_NOT_AVAILABLE, detail, { history_start, current_revision });
  }
  throw historyUnavailable(status === 200 ? 'the answer is not a historical snapshot' : `HTTP ${status}`);
}

/**
 * Reads the whole policy state as of a past revision or instant from policy-admin: in the same
 * process when standalone (its in-process source), else over HTTP with the client that fetches
 * the start-up snapshot (POLICY_ADMIN_URL, POLICY_ADMIN_TOKEN_FILE).
 */
@Injectable()
export class HistoricalSnapshots {
  private readonly logger = new Logger('HistoricalSnapshots');
  private inProcess: HistoricalSnapshotSource | null | undefined;

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly client: PolicySnapshotClient,
  ) {}

  async fetch(query: HistoricalSnapshotQuery): Promise<HistoricalSnapshot> {
    const source = this.source();
    if (source) {
      try {
        return await source.snapshotAt(query);
      } catch (error) {
        if (error instanceof ProblemError && error.code === HISTORY_NOT_AVAILABLE) throw error;
        this.logger.warn(`historical snapshot failed: ${String(error)}`);
        throw historyUnavailable('the history could not be read');
      }
    }
    let answer: { status: number; body: unknown } | undefined;
    try {
      answer = await this.client.fetchAt(query);
    } catch (error) {
      this.logger.warn(`historical snapshot failed: ${String(error)}`);
      throw historyUnavailable('policy-admin did not answer');
    }
    if (!answer) throw historyUnavailable('POLICY_ADMIN_URL is not set');
    return snapshotOfAnswer(answer);
  }

  /** policy-admin's in-process source, present only when both run in one process. */
  private source(): HistoricalSnapshotSource | undefined {
    if (this.inProcess === undefined) {
      try {
        this.inProcess = this.moduleRef.get<HistoricalSnapshotSource>(HISTORICAL_SNAPSHOT_SOURCE, {
          strict: false,
        });
      } catch {
        this.inProcess = null;
      }
    }
    return this.inProcess ?? undefined;
  }
}
