import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';

/** The previous hash of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields a record's hash covers: everything but the hash itself. */
export interface SealableRecord {
  seq: number;
  eventId: string;
  eventTime: string;
  type: string;
  source: string;
  actor: string;
  subject: string | null;
  payload: unknown;
  prevHash: string;
}

/** SHA-256 over the RFC 8785 canonical JSON of the record (hex). */
export function sealRecord(record: SealableRecord): string {
  return createHash('sha256').update(canonicalJson(record)).digest('hex');
}
