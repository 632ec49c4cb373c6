import { readFile } from 'node:fs/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@zt/config';
import type { PolicySnapshot } from '@zt/contracts';

const TIMEOUT_MS = 10_000;
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
        const headers: Record<string, string> = { accept: 'application/json' };
        if (this.config.POLICY_ADMIN_TOKEN_FILE) {
          headers.authorization = `Bearer ${(await readFile(this.config.POLICY_ADMIN_TOKEN_FILE, 'utf8')).trim()}`;
        }
        const response = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const body: unknown = await response.json();
        if (!isSnapshot(body)) throw new Error('the answer is not a policy snapshot');
        this.logger.log(`snapshot at revision ${body.revision} with ${body.policies.length} policies`);
        return body;
      } catch (error) {
        this.logger.warn(`snapshot from ${url.origin} failed (attempt ${attempt}): ${String(error)}`);
        if (attempt < ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
      }
    }
    return undefined;
  }
}
