import { readFile } from 'node:fs/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@zt/config';
import type { HistoricalSnapshotQuery, PolicySnapshot } from '@zt/contracts';

// Until the answer starts; then the body has longer: 100,000 policies are about 30 MB.
const TIMEOUT_MS = 10_000;
const BODY_TIMEOUT_MS = 60_000;
const ATTEMPTS = 3;

function isSnapshot(value: unknown): value is PolicySnapshot {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  return Number.isSafeInteger(s.revision) && Array.isArray(s.policies) && Array.isArray(s.principals);
}

/**
 * Fetches policy-admin's snapshot (`GET /v1/zt-policy/policies:snapshot`) so a new distributed
 * replica starts from one consistent revision instead of replaying the whole stream first. The
 * bearer token (role `pdp`) is read from POLICY_ADMIN_TOKEN_FILE on every fetch, so a rotated
 * token is picked up. Returns undefined when not configured or unreachable: the replica then
 * becomes ready by catching up with the compacted topic instead.
 */
@Injectable()
export class PolicySnapshotClient {
  private readonly logger = new Logger('PolicySnapshotClient');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async fetch(): Promise<PolicySnapshot | undefined> {
    const base = this.config.POLICY_ADMIN_URL;
    if (!base) return undefined;
    const url = new URL('v1/zt-policy/policies:snapshot', base.endsWith('/') ? base : `${base}/`);
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        const headers = await this.headers();
        this.logger.log(`fetching the snapshot from ${url.origin}`);
        const started = performance.now();
        const body = await this.get(url, headers);
        if (!isSnapshot(body)) throw new Error('the answer is not a policy snapshot');
        this.logger.log(
          `snapshot at revision ${body.revision} with ${body.policies.length} policies, fetched in ${Math.round(performance.now() - started)} ms`,
        );
        return body;
      } catch (error) {
        this.logger.warn(`snapshot from ${url.origin} failed (attempt ${attempt}): ${String(error)}`);
        if (attempt < ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
    return undefined;
  }

  /**
   * One request for a past state (time travel, `?revision=` or `?at=`), without retries: the
   * status and body as they came, so the caller can pass policy-admin's 422 on. Undefined when
   * POLICY_ADMIN_URL is unset; throws when policy-admin cannot be reached or answers no JSON.
   */
  async fetchAt(query: HistoricalSnapshotQuery): Promise<{ status: number; body: unknown } | undefined> {
    const base = this.config.POLICY_ADMIN_URL;
    if (!base) return undefined;
    const url = new URL('v1/zt-policy/policies:snapshot', base.endsWith('/') ? base : `${base}/`);
    if ('at' in query) url.searchParams.set('at', query.at);
    else url.searchParams.set('revision', String(query.revision));
    const response = await fetch(url, {
      headers: await this.headers(),
      signal: AbortSignal.timeout(BODY_TIMEOUT_MS),
    });
    return { status: response.status, body: await response.json() };
  }

  private async headers(): Promise<Record<string, string>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.config.POLICY_ADMIN_TOKEN_FILE) {
      headers.authorization = `Bearer ${(await readFile(this.config.POLICY_ADMIN_TOKEN_FILE, 'utf8')).trim()}`;
    }
    return headers;
  }

  private async get(url: URL, headers: Record<string, string>): Promise<unknown> {
    const abort = new AbortController();
    let timer = setTimeout(() => abort.abort(new Error(`no answer in ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    try {
      const response = await fetch(url, { headers, signal: abort.signal });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      clearTimeout(timer);
      timer = setTimeout(
        () => abort.abort(new Error(`snapshot not received in ${BODY_TIMEOUT_MS} ms`)),
        BODY_TIMEOUT_MS,
      );
      return await response.json();
    } finally {
      clearTimeout(timer);
    }
  }
}
