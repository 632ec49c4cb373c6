/** Why a record went to the dead letters; the label values of `zt_audit_dead_letters_total`. */
export const DEAD_LETTER_REASONS = ['malformed', 'unsafe_input', 'rejected_by_database'] as const;

/**
 * `malformed`: not a record at all (a batch entry without a decision id, a batch without a
 * decision list or larger than any publisher sends); `unsafe_input`: refused by `inputProblems`
 * (NUL, control characters, lone surrogates, non-finite numbers, too deep or too large);
 * `rejected_by_database`: PostgreSQL refused the insert with a data error (SQLSTATE class 22 or 54).
 */
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/**
 * Type of the chain record appended with each dead letter, in the same transaction: the loss is
 * in the verifiable trail and reaches SIEMs, holding only safe facts (no hostile content).
 */
export const DEAD_LETTERED_TYPE = 'com.zt.audit.dead_lettered';

/** Where a message came from: its delivery on the bus and its envelope's id and type. */
export interface Arrival {
  topic: string;
  partition?: number;
  offset?: string;
  messageId: string;
  messageType: string;
}

/** A record that cannot be stored, as the storing code found it. */
export interface Rejected {
  arrival: Arrival;
  /** Its position in a decision batch; null when the whole message is the record. */
  entryIndex: number | null;
  /** What arrived: the batch entry, or the whole event. */
  content: unknown;
  reason: DeadLetterReason;
  detail: string;
}

/** A dead letter as stored: every text made printable, the content as raw JSON bytes. */
export interface DeadLetterRow {
  arrivalKey: string;
  receivedAt: Date;
  reason: DeadLetterReason;
  detail: string;
  topic: string;
  partition: number | null;
  offset: string | null;
  messageId: string;
  messageType: string;
  entryIndex: number | null;
  raw: Buffer;
  rawSha256: string;
}

/** Data of a `com.zt.audit.dead_lettered` chain record. */
export interface DeadLetteredData {
  dead_letter_id: number;
  reason: DeadLetterReason;
  detail: string;
  topic: string;
  partition: number | null;
  offset: string | null;
  message_id: string;
  message_type: string;
  entry_index: number | null;
  raw_sha256: string;
  raw_bytes: number;
}

/** A dead letter as operators list it: the raw content base64-encoded, safe in any JSON reader. */
export interface DeadLetterView {
  id: number;
  received_at: string;
  reason: DeadLetterReason;
  detail: string;
  topic: string;
  partition: number | null;
  offset: string | null;
  message_id: string;
  message_type: string;
  entry_index: number | null;
  raw_base64: string;
  raw_sha256: string;
}
