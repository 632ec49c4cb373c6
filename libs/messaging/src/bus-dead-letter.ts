import { createHash } from 'node:crypto';
import { BUS_DEAD_LETTER_TYPE, CloudEvent, createCloudEvent, InputProblem, Topics } from '@zt/contracts';
import type { DeliveryInfo, OutgoingMessage } from './message-bus';

/** Why a consumer refused an event: the input rule, or its type's schema and rules. */
export type DeadLetterCause = 'unsafe_input' | 'invalid';

/** `data` of a `com.zt.bus.dead_lettered` event on `zt.dead.letters` (schema: BUS_DEAD_LETTER_SCHEMA). */
export interface BusDeadLetterData {
  consumer: string;
  reason: DeadLetterCause;
  problems: InputProblem[];
  topic: string;
  partition: number | null;
  offset: string | null;
  message_id: string;
  message_type: string;
  event_base64: string;
  event_bytes: number;
  event_sha256: string;
}

// The refused event is kept up to this many bytes, so its base64 (4/3 larger) stays within the
// input rule's longest string and the audit trail can record the dead letter.
const MAX_KEPT_BYTES = 48 * 1024;
const MAX_TEXT = 256;
const MAX_PROBLEMS = 10;

// Control characters and lone UTF-16 surrogates: what must not reach a log line or a store.
const UNSAFE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001F\u007F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Refused text made safe to store and show: control characters and lone surrogates written as
 * `\\uXXXX` (as JSON would), clipped when long.
 */
export function escapedText(text: string): string {
  const clipped = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
  return clipped.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// The correlation id is carried over only when it is one the HTTP edge would have accepted.
const SAFE_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The dead letter of an event a consumer refused. Its id is derived from the consumer and the
 * message's place on the bus, so every replica of a consumer (and every re-read of a compacted
 * topic) dead-letters it under one id, which the audit trail records once.
 */
export function busDeadLetter(
  consumer: string,
  event: CloudEvent,
  info: DeliveryInfo,
  reason: DeadLetterCause,
  problems: InputProblem[],
): OutgoingMessage<BusDeadLetterData> {
  const json = Buffer.from(JSON.stringify(event));
  const place = [consumer, info.topic, info.partition ?? '', info.offset ?? '', event.id].join('\u0000');
  const id = `dead-letter-${createHash('sha256').update(place).digest('hex').slice(0, 32)}`;
  const data: BusDeadLetterData = {
    consumer,
    reason,
    problems: problems
      .slice(0, MAX_PROBLEMS)
      .map((p) => ({ pointer: escapedText(p.pointer), detail: escapedText(p.detail) })),
    topic: info.topic,
    partition: info.partition ?? null,
    offset: info.offset ?? null,
    message_id: escapedText(String(event.id)),
    message_type: escapedText(String(event.type)),
    event_base64: json.subarray(0, MAX_KEPT_BYTES).toString('base64'),
    event_bytes: json.length,
    event_sha256: createHash('sha256').update(json).digest('hex'),
  };
  return {
    key: id,
    event: createCloudEvent({
      id,
      source: `/zt/${consumer}`,
      type: BUS_DEAD_LETTER_TYPE,
      subject: info.topic,
      data,
      ...(typeof event.correlationid === 'string' && SAFE_CORRELATION_ID.test(event.correlationid)
        ? { correlationId: event.correlationid }
        : {}),
    }),
  };
}

/** The topic dead letters go to. */
export const DEAD_LETTER_TOPIC = Topics.deadLetters;
