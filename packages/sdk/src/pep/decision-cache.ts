// The enforcement point's local decision cache. An entry is keyed by a digest of the decision
// request (and of the caller's token when it is forwarded) and remembers the policy revision it
// was decided on; it is used only while that revision is still the newest the enforcement point
// has seen, so a policy change is never served stale once any answer has shown it.
import { createHash } from 'node:crypto';
import type { Decision } from '../api-types.js';

/** Limits of the cache. */
export interface DecisionCacheOptions {
  /** Entries kept at most; the least recently used goes first (default 10,000). */
  maxEntries?: number;
  /**
   * How long an entry may be used at most (default 5000 ms): bounds how long a change that moves
   * no policy revision (a device's posture, a directory attribute) can go unseen.
   */
  ttlMs?: number;
}

interface Entry {
  decision: Decision;
  expiresAt: number;
}

/**
 * JSON with object members in sorted order: equal requests give equal keys. Loops rather than
 * entries/filter/map: it runs on every guarded request, cached or not.
 */
function canonical(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + canonical(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  let out = '{';
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonical(member)}`;
  }
  return `${out}}`;
}

// Digests of the tokens seen lately: a caller sends the same token with every request, and hashing
// a JWT of a kilobyte on each one was most of the cached guard's cost. Bounded; cleared when full.
const TOKEN_DIGESTS_KEPT = 10_000;
const tokenDigests = new Map<string, string>();

function tokenDigest(token: string): string {
  let digest = tokenDigests.get(token);
  if (digest === undefined) {
    if (tokenDigests.size >= TOKEN_DIGESTS_KEPT) tokenDigests.clear();
    digest = createHash('sha256').update(token).digest('base64url');
    tokenDigests.set(token, digest);
  }
  return digest;
}

/**
 * The cache key of a decision request asked with `token` (empty when the service's own): the
 * request's canonical JSON and the token's digest, so the cache holds no token itself.
 */
export function requestDigest(request: unknown, token = ''): string {
  return `${canonical(request)}\u0000${token === '' ? '' : tokenDigest(token)}`;
}

/** Decisions by request digest, valid for the revision they were decided on. */
export class DecisionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly ttlMs: number;
  private revision = 0;

  constructor(
    options: DecisionCacheOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.ttlMs = options.ttlMs ?? 5000;
  }

  /** The newest policy revision seen in any answer. */
  get lastSeenRevision(): number {
    return this.revision;
  }

  /** Notes a revision the decision point reached; every entry of an older one stops being used. */
  observeRevision(revision: number): void {
    if (revision > this.revision) this.revision = revision;
  }

  /** The cached decision for `key`, if decided on the newest revision seen, at least `minRevision`, and fresh. */
  get(key: string, minRevision = 0): Decision | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const { revision } = entry.decision;
    if (revision !== this.revision || revision < minRevision || entry.expiresAt <= this.now()) {
      if (revision < this.revision || entry.expiresAt <= this.now()) this.entries.delete(key);
      return undefined;
    }
    // Re-inserted: a Map iterates in insertion order, so the first key is the least recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.decision;
  }

  /** Keeps a fresh answer (and learns its revision). */
  set(key: string, decision: Decision): void {
    this.observeRevision(decision.revision);
    this.entries.delete(key);
    this.entries.set(key, { decision, expiresAt: this.now() + this.ttlMs });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  /** Forgets every entry. */
  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
