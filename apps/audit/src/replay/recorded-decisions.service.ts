import { Injectable } from '@nestjs/common';
import { EventTypes, RecordedDecisionInput } from '@zt/contracts';
import { validationProblem } from '@zt/http';
import { DataSource } from 'typeorm';
import { parseRecordedDecisionsQuery, RecordedDecisionsParams } from './recorded-decisions.query';

/** One recorded decision that can be replayed. */
export interface RecordedDecision {
  decisionId: string;
  at: string;
  decision: string;
  revision: number;
  input: RecordedDecisionInput;
}

/** A page of recorded decisions, newest first. */
export interface RecordedDecisionsPage {
  items: RecordedDecision[];
  /** Decision records of this page that cannot be replayed, by why. */
  skipped: { no_input: number; redacted: number };
  /** Records this page scanned (items plus skipped). */
  scanned: number;
  next_cursor?: string;
}

interface Row {
  seq: string;
  decision_id: string | null;
  at: Date;
  decision: string | null;
  revision: string | null;
  redacted: boolean | null;
  input: RecordedDecisionInput | null;
}

/**
 * Serves the inputs the decision log recorded, for replay (policy-admin's
 * `changesets:simulate`): only the members replay needs, read by PostgreSQL from the payload so
 * that the rest of each record is neither sent nor parsed. Newest first, on the (type, seq) index.
 */
@Injectable()
export class RecordedDecisionsService {
  constructor(private readonly dataSource: DataSource) {}

  async page(params: RecordedDecisionsParams): Promise<RecordedDecisionsPage> {
    const parsed = parseRecordedDecisionsQuery(params);
    if ('errors' in parsed) throw validationProblem(parsed.errors, 'Invalid query parameters.');
    const { before, from, to, limit } = parsed.query;
    const rows: Row[] = await this.dataSource.query(
      `SELECT seq, payload->>'decisionId' AS decision_id, event_time AS at,
              payload->>'decision' AS decision, payload->>'revision' AS revision,
              (payload->>'inputRedacted')::boolean AS redacted, payload->'input' AS input
         FROM audit.records
        WHERE type = $1 AND ($2::bigint IS NULL OR seq < $2)
          AND ($3::timestamptz IS NULL OR event_time >= $3)
          AND ($4::timestamptz IS NULL OR event_time < $4)
        ORDER BY seq DESC LIMIT $5`,
      [EventTypes.decisionMade, before ?? null, from ?? null, to ?? null, limit],
    );
    const page: RecordedDecisionsPage = {
      items: [],
      skipped: { no_input: 0, redacted: 0 },
      scanned: rows.length,
    };
    for (const row of rows) {
      if (row.redacted === true) page.skipped.redacted += 1;
      else if (!isInput(row.input) || row.decision_id === null || row.decision === null)
        page.skipped.no_input += 1;
      else
        page.items.push({
          decisionId: row.decision_id,
          at: row.at.toISOString(),
          decision: row.decision,
          revision: Number(row.revision ?? 0),
          input: row.input,
        });
    }
    if (rows.length === limit) page.next_cursor = rows[rows.length - 1].seq;
    return page;
  }
}

/** Whether a stored input has the request's shape (records come from the bus: checked, not trusted). */
function isInput(value: unknown): value is RecordedDecisionInput {
  if (typeof value !== 'object' || value === null) return false;
  const { subject, resource, action } = value as Record<string, unknown>;
  return (
    typeof action === 'string' &&
    typeof subject === 'object' &&
    subject !== null &&
    typeof (subject as { id?: unknown }).id === 'string' &&
    typeof resource === 'object' &&
    resource !== null &&
    typeof (resource as { id?: unknown }).id === 'string'
  );
}
