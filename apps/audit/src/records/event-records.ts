import {
  CloudEvent,
  DecisionLogData,
  EventTypes,
  InputProblem,
  inputProblems,
  textProblem,
} from '@zt/contracts';
import type { NewAuditRecord } from './audit.repository';

// Bus input is untrusted: a batch larger than any publisher sends is not unpacked.
const MAX_BATCH = 10_000;
// The longest decision id a record is made of (the publisher's are UUIDs).
const MAX_DECISION_ID = 256;
// Event ids and types are indexed: bounded well below PostgreSQL's index row limit.
const MAX_INDEXED_TEXT = 512;

/** An instant as the normalized ISO form the database gives back when verifying; `fallback` if unreadable. */
function instantOf(time: unknown, fallback: () => string): string {
  if (typeof time !== 'string' && typeof time !== 'number') return fallback();
  const parsed = new Date(time);
  return Number.isNaN(parsed.getTime()) ? fallback() : parsed.toISOString();
}

const now = () => new Date().toISOString();

/** Who caused an event: the actor of a change, the subject of a decision, else the source. */
function actorOf(data: unknown, source: string): string {
  const fields = (typeof data === 'object' && data !== null ? data : {}) as {
    actor?: { sub?: unknown };
    subject?: unknown;
  };
  if (typeof fields.actor?.sub === 'string') return fields.actor.sub;
  if (typeof fields.subject === 'string') return fields.subject;
  return source;
}

/** The record of one event other than a decision batch. */
export function recordOf(event: CloudEvent): NewAuditRecord {
  return {
    eventId: event.id,
    eventTime: instantOf(event.time, now),
    type: event.type,
    source: event.source,
    actor: actorOf(event.data, event.source),
    subject: event.subject ?? null,
    payload: event.data,
  };
}

/** The entries of a decision batch event, or why it has none to unpack. */
export function batchEntriesOf(event: CloudEvent): { entries: unknown[] } | { malformed: string } {
  const decisions = (event.data as { decisions?: unknown } | null)?.decisions;
  if (!Array.isArray(decisions)) return { malformed: '/data/decisions is not an array' };
  if (decisions.length > MAX_BATCH) {
    return { malformed: `/data/decisions has ${decisions.length} entries, more than ${MAX_BATCH}` };
  }
  return { entries: decisions };
}

/**
 * The record of one decision of a batch, as if it had come alone (`com.zt.decision.made`, event id
 * `decision-<decision id>`), or why the entry is not a decision.
 */
export function decisionRecordOf(batch: CloudEvent, entry: unknown): NewAuditRecord | { malformed: string } {
  const decision = entry as Partial<DecisionLogData> | null;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    return { malformed: 'is not an object' };
  }
  const id = decision?.decisionId;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_DECISION_ID) {
    return { malformed: `/decisionId is not a string of 1 to ${MAX_DECISION_ID} characters` };
  }
  return {
    eventId: `decision-${id}`,
    // A decision's own time; an unreadable one falls back to the batch's (the entry keeps it as sent).
    eventTime: instantOf(decision?.at ?? batch.time, () => instantOf(batch.time, now)),
    type: EventTypes.decisionMade,
    source: batch.source,
    actor: actorOf(entry, batch.source),
    subject: id,
    payload: entry,
  };
}

/**
 * Why a record cannot be stored and sealed faithfully, by the one rule for untrusted input (NUL,
 * controls, lone surrogates, non-finite numbers, depth, sizes); empty when it can.
 */
export function recordProblems(record: NewAuditRecord): InputProblem[] {
  // Typed as strings, but taken from a bus envelope whose optional fields nobody checked.
  const texts: [string, unknown, number | undefined][] = [
    ['eventId', record.eventId, MAX_INDEXED_TEXT],
    ['type', record.type, MAX_INDEXED_TEXT],
    ['source', record.source, undefined],
    ['actor', record.actor, undefined],
    ['subject', record.subject, undefined],
  ];
  const problems: InputProblem[] = [];
  for (const [name, text, max] of texts) {
    if (text === null && name === 'subject') continue;
    const problem = typeof text === 'string' ? textProblem(text, max) : 'is not a string';
    if (problem) problems.push({ pointer: `/${name}`, detail: problem });
  }
  return [...problems, ...inputProblems(record.payload, '/payload')];
}
