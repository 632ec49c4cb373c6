import { randomUUID } from 'node:crypto';

/** A CloudEvents 1.0 structured-mode JSON envelope, the one shape on every topic. */
export interface CloudEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  subject?: string;
  datacontenttype: 'application/json';
  /** Correlation id of the request that caused the event; also sent as a Kafka header. */
  correlationid?: string;
  data: T;
}

/** Fields a producer chooses; the rest is filled in by {@link createCloudEvent}. */
export interface NewCloudEvent<T> {
  source: string;
  type: string;
  subject?: string;
  data: T;
  correlationId?: string;
  id?: string;
  time?: Date;
}

/** Builds a CloudEvents 1.0 envelope with a fresh id and the current time. */
export function createCloudEvent<T>(event: NewCloudEvent<T>): CloudEvent<T> {
  return {
    specversion: '1.0',
    id: event.id ?? randomUUID(),
    source: event.source,
    type: event.type,
    time: (event.time ?? new Date()).toISOString(),
    ...(event.subject === undefined ? {} : { subject: event.subject }),
    datacontenttype: 'application/json',
    ...(event.correlationId === undefined ? {} : { correlationid: event.correlationId }),
    data: event.data,
  };
}

/** Checks the envelope fields a consumer relies on; bus input is untrusted like HTTP input. */
export function isCloudEvent(value: unknown): value is CloudEvent {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  return (
    e.specversion === '1.0' &&
    typeof e.id === 'string' &&
    e.id.length > 0 &&
    typeof e.source === 'string' &&
    typeof e.type === 'string' &&
    typeof e.time === 'string' &&
    'data' in e
  );
}
