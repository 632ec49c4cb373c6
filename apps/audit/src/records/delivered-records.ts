import { CloudEvent, EventTypes } from '@zt/contracts';
import type { DeliveryInfo } from '@zt/messaging';
import type { Arrival, Rejected } from '../dead-letters/dead-letter';
import type { NewAuditRecord } from './chain-batch';
import { batchEntriesOf, decisionRecordOf, recordOf, recordProblems } from './event-records';

/** What a dead letter of a record keeps: where it arrived and what it was, without the verdict. */
export type Poison = Omit<Rejected, 'reason' | 'detail'>;

/**
 * One fact of a delivered message: a record for the chain (with what its dead letter would hold
 * if the database refused it), or a rejection to dead-letter.
 */
export type DeliveredFact = { record: NewAuditRecord; poison: Poison } | { rejected: Rejected };

/** One delivered message, as the audit consumer receives it. */
export interface DeliveredEvent {
  event: CloudEvent;
  info: DeliveryInfo;
}

function arrivalOf({ event, info }: DeliveredEvent): Arrival {
  return {
    topic: info.topic,
    partition: info.partition,
    offset: info.offset,
    messageId: event.id,
    messageType: event.type,
  };
}

/** The record, or its rejection by the one rule for untrusted input. */
function checked(record: NewAuditRecord, poison: Poison): DeliveredFact {
  const problems = recordProblems(record);
  if (problems.length === 0) return { record, poison };
  const detail = problems.map((p) => `${p.pointer} ${p.detail}`).join('; ');
  return { rejected: { ...poison, reason: 'unsafe_input', detail } };
}

/**
 * The facts of delivered messages, in delivery order: a decision batch gives one per decision
 * (`com.zt.decision.made`, event id `decision-<decision id>`), anything else one. What cannot be a
 * record (malformed, or refused by the input rule) is a rejection in its place, so the others of
 * its message are stored all the same, in order.
 */
export function deliveredFacts(deliveries: DeliveredEvent[]): DeliveredFact[] {
  const facts: DeliveredFact[] = [];
  for (const delivery of deliveries) {
    const { event } = delivery;
    const arrival = arrivalOf(delivery);
    const whole: Poison = { arrival, entryIndex: null, content: event };
    if (event.type !== EventTypes.decisionBatch) {
      facts.push(checked(recordOf(event), whole));
      continue;
    }
    const batch = batchEntriesOf(event);
    if ('malformed' in batch) {
      facts.push({ rejected: { ...whole, reason: 'malformed', detail: batch.malformed } });
      continue;
    }
    for (const [entryIndex, entry] of batch.entries.entries()) {
      const poison: Poison = { arrival, entryIndex, content: entry };
      const record = decisionRecordOf(event, entry);
      facts.push(
        'malformed' in record
          ? { rejected: { ...poison, reason: 'malformed', detail: record.malformed } }
          : checked(record, poison),
      );
    }
  }
  return facts;
}
