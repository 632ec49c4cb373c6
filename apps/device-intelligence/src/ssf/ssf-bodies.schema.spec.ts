import {
  ADD_SUBJECT_SCHEMA,
  CREATE_STREAM_SCHEMA,
  POLL_SCHEMA,
  ssfBodyErrors,
  STATUS_UPDATE_SCHEMA,
  UPDATE_STREAM_SCHEMA,
} from './ssf-bodies.schema';
import { subjectKey } from './subject-id';

const pointers = (schema: object, body: unknown): string[] =>
  ssfBodyErrors(schema, body).map((e) => e.pointer);
const addSubject = (subject: unknown): string[] => pointers(ADD_SUBJECT_SCHEMA, { stream_id: 's', subject });

describe('SSF request bodies', () => {
  it('accepts a poll stream and refuses push delivery, which is not served yet', () => {
    expect(pointers(CREATE_STREAM_SCHEMA, { delivery: { method: 'urn:ietf:rfc:8936' } })).toEqual([]);
    expect(pointers(CREATE_STREAM_SCHEMA, {})).toEqual([]);
    expect(pointers(CREATE_STREAM_SCHEMA, { delivery: { method: 'urn:ietf:rfc:8935' } })).toEqual([
      '/delivery/method',
    ]);
  });

  it('bounds what a receiver may send', () => {
    expect(
      pointers(CREATE_STREAM_SCHEMA, {
        events_requested: Array.from({ length: 33 }, (_, i) => `urn:e:${i}`),
      }),
    ).toEqual(['/events_requested']);
    expect(pointers(CREATE_STREAM_SCHEMA, { description: 'x'.repeat(257) })).toEqual(['/description']);
    expect(pointers(POLL_SCHEMA, { maxEvents: 1001 })).toEqual(['/maxEvents']);
    expect(pointers(POLL_SCHEMA, { ack: Array.from({ length: 1001 }, (_, i) => String(i)) })).toEqual([
      '/ack',
    ]);
    expect(pointers(CREATE_STREAM_SCHEMA, { surprise: 1 })).toEqual(['/surprise']);
  });

  it('takes transmitter-supplied members echoed back in an update', () => {
    expect(
      pointers(UPDATE_STREAM_SCHEMA, {
        stream_id: 's',
        iss: 'https://zt.example',
        aud: ['a'],
        events_supported: [],
        events_delivered: [],
        min_verification_interval: 0,
      }),
    ).toEqual([]);
    expect(pointers(UPDATE_STREAM_SCHEMA, {})).toEqual(['/stream_id']);
  });

  it('knows the three stream statuses', () => {
    expect(pointers(STATUS_UPDATE_SCHEMA, { stream_id: 's', status: 'paused' })).toEqual([]);
    expect(pointers(STATUS_UPDATE_SCHEMA, { stream_id: 's', status: 'stopped' })).toEqual(['/status']);
  });

  it('accepts RFC 9493 subject identifiers and SSF complex subjects', () => {
    for (const subject of [
      { format: 'account', uri: 'acct:dana@company.com' },
      { format: 'email', email: 'dana@company.com' },
      { format: 'iss_sub', iss: 'https://idp.example', sub: '42' },
      { format: 'opaque', id: 'x' },
      { format: 'phone_number', phone_number: '+12065550100' },
      { format: 'did', url: 'did:example:123' },
      { format: 'uri', uri: 'https://company.com/users/dana' },
      {
        format: 'aliases',
        identifiers: [
          { format: 'email', email: 'a@b.c' },
          { format: 'opaque', id: '1' },
        ],
      },
      { format: 'complex', user: { format: 'email', email: 'a@b.c' }, device: { format: 'opaque', id: 'd' } },
    ]) {
      expect(addSubject(subject)).toEqual([]);
    }
  });

  it('points at the bad member of a subject', () => {
    expect(addSubject({ format: 'email', email: 'nope' })).toEqual(['/subject/email']);
    expect(addSubject({ format: 'phone_number', phone_number: '555' })).toEqual(['/subject/phone_number']);
    expect(addSubject({ format: 'opaque' })).toEqual(['/subject/id']);
    expect(addSubject({ format: 'complex' })).toEqual(['/subject']);
    expect(
      addSubject({ format: 'aliases', identifiers: [{ format: 'aliases', identifiers: [] }] }),
    ).not.toEqual([]);
    expect(addSubject({ format: 'nope' })).not.toEqual([]);
  });

  it('keys a subject the same whatever the order of its members', () => {
    expect(subjectKey({ format: 'iss_sub', iss: 'i', sub: 's' })).toBe(
      subjectKey({ sub: 's', format: 'iss_sub', iss: 'i' } as never),
    );
  });
});
