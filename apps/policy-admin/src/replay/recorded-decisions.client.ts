import type { Server } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '@zt/config';
import type { RecordedDecisionInput } from '@zt/contracts';
import { listeningPortOf, ProblemError } from '@zt/http';
import type { ReplayRecord } from './replay-impact';

/** The recorded decisions a replay reads: a time window, newest first, at most `limit`. */
export interface ReplayWindow {
  from?: string;
  to?: string;
  limit: number;
}

/** What the audit service answers for one page (checked: it crosses a process boundary). */
interface Page {
  items: ReplayRecord[];
  skipped: { no_input: number; redacted: number };
  scanned: number;
  next_cursor?: string;
}

/** Records per request to the audit service: the largest page it serves. */
const PAGE = 10_000;
// One page is a bounded query; a service that takes longer than this is not answering.
const PAGE_TIMEOUT_MS = 30_000;

const count = (value: unknown): number =>
  typeof value === 'number' && Number.isSafeInteger(value) ? value : 0;

/** Replay cannot read recorded decisions now: 503 with Retry-After, like any dependency outage. */
function unavailable(detail: string): ProblemError {
  return new ProblemError(503, 'DEPENDENCY_UNAVAILABLE', detail, { headers: { 'retry-after': '5' } });
}

function pageOf(body: unknown): Page {
  const page = body as Partial<Page> | null;
  if (typeof page !== 'object' || page === null || !Array.isArray(page.items)) {
    throw unavailable('The audit service answered without a page of decisions.');
  }
  const items = page.items.filter(
    (i): i is ReplayRecord =>
      typeof i === 'object' &&
      i !== null &&
      typeof i.decisionId === 'string' &&
      typeof i.at === 'string' &&
      typeof (i.input as RecordedDecisionInput | undefined)?.action === 'string',
  );
  return {
    items,
    skipped: {
      no_input: count(page.skipped?.no_input) + page.items.length - items.length,
      redacted: count(page.skipped?.redacted),
    },
    scanned: count(page.scanned),
    ...(typeof page.next_cursor === 'string' ? { next_cursor: page.next_cursor } : {}),
  };
}

/**
 * Reads recorded decisions from the audit service (`GET /v1/zt-policy/audit/decision-inputs`)
 * with the caller's own token: the inputs name subjects and resources, so a caller who may not
 * read the audit trail may not replay it either. Standalone, the audit service is this process.
 */
@Injectable()
export class RecordedDecisionsClient {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly http: HttpAdapterHost,
  ) {}

  /** The window's pages, newest first, until `limit` records were scanned. */
  async *pages(window: ReplayWindow, authorization: string | undefined): AsyncGenerator<Page> {
    let scanned = 0;
    let cursor: string | undefined;
    do {
      const limit = Math.min(PAGE, window.limit - scanned);
      const page = await this.fetchPage({ ...window, limit }, cursor, authorization);
      scanned += page.scanned;
      cursor = page.next_cursor;
      yield page;
      if (page.scanned === 0) return;
    } while (cursor !== undefined && scanned < window.limit);
  }

  private base(): string {
    if (this.config.AUDIT_URL) return this.config.AUDIT_URL.replace(/\/+$/, '');
    const port = listeningPortOf(this.http.httpAdapter?.getHttpServer() as Server | undefined);
    return `http://127.0.0.1:${port ?? this.config.PORT}`;
  }

  private async fetchPage(
    window: ReplayWindow,
    cursor: string | undefined,
    authorization: string | undefined,
  ): Promise<Page> {
    const query = new URLSearchParams({ limit: String(window.limit) });
    if (window.from) query.set('from', window.from);
    if (window.to) query.set('to', window.to);
    if (cursor) query.set('cursor', cursor);
    let response: Response;
    try {
      response = await fetch(`${this.base()}/v1/zt-policy/audit/decision-inputs?${query.toString()}`, {
        headers: authorization ? { authorization } : {},
        signal: AbortSignal.timeout(PAGE_TIMEOUT_MS),
      });
    } catch (error) {
      throw unavailable(`The audit service cannot be reached for replay (${String(error)}).`);
    }
    if (response.status === 401 || response.status === 403) {
      throw new ProblemError(
        403,
        'ROLE_REQUIRED',
        'Replay reads recorded decisions: the caller needs the role auditor or infra_admin as well.',
        { requiredRoles: ['auditor', 'infra_admin'] },
      );
    }
    if (response.status === 404) {
      throw unavailable('No audit service answers for replay here: set AUDIT_URL.');
    }
    if (!response.ok) {
      throw unavailable(`The audit service answered ${response.status} for replay.`);
    }
    return pageOf(await response.json());
  }
}
