import { createCloudEvent, EventSources, EventTypes } from '@zt/contracts';
import { batchEntriesOf, decisionRecordOf, recordOf, recordProblems } from './event-records';

const batch = createCloudEvent({
  source: EventSources.decision,
  type: EventTypes.decisionBatch,
  time: new Date('2026-01-02T03:04:05Z'),
  data: { decisions: [] as unknown[] },
});

describe('records of bus events', () => {
  it('makes a decision of a batch the record it would be alone', () => {
    const record = decisionRecordOf(batch, {
      decisionId: 'd1',
      subject: 'alice',
      at: '2026-01-02T03:04:06Z',
    });
    expect(record).toEqual({
      eventId: 'decision-d1',
      eventTime: '2026-01-02T03:04:06.000Z',
      type: EventTypes.decisionMade,
      source: EventSources.decision,
      actor: 'alice',
      subject: 'd1',
      payload: { decisionId: 'd1', subject: 'alice', at: '2026-01-02T03:04:06Z' },
    });
  });

  it('takes the batch time for a decision whose own time is unreadable, instead of throwing', () => {
    for (const at of ['yesterday', { when: 1 }, []]) {
      expect(decisionRecordOf(batch, { decisionId: 'd1', at })).toMatchObject({
        eventTime: '2026-01-02T03:04:05.000Z',
      });
    }
  });

  it('names what is malformed in an entry or a batch', () => {
    expect(decisionRecordOf(batch, null)).toEqual({ malformed: 'is not an object' });
    expect(decisionRecordOf(batch, ['x'])).toEqual({ malformed: 'is not an object' });
    expect(decisionRecordOf(batch, { decisionId: '' })).toHaveProperty('malformed');
    expect(decisionRecordOf(batch, { decisionId: 'x'.repeat(257) })).toHaveProperty('malformed');
    expect(batchEntriesOf({ ...batch, data: {} })).toEqual({ malformed: '/data/decisions is not an array' });
    expect(batchEntriesOf({ ...batch, data: { decisions: new Array(10_001).fill({}) } })).toHaveProperty(
      'malformed',
    );
    expect(batchEntriesOf({ ...batch, data: { decisions: [1, 2] } })).toEqual({ entries: [1, 2] });
  });

  it('finds no problem in an ordinary record', () => {
    expect(recordProblems(recordOf(batch))).toEqual([]);
  });

  it('names each field of a record that cannot be stored or sealed, by pointer', () => {
    const record = decisionRecordOf(batch, {
      decisionId: 'd\u0000',
      subject: '\udc00',
      nested: JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`) as unknown,
      big: Infinity,
    });
    const pointers = 'malformed' in record ? [] : recordProblems(record).map((p) => p.pointer);
    expect(pointers).toEqual(
      expect.arrayContaining([
        '/eventId',
        '/actor',
        '/subject',
        '/payload/decisionId',
        '/payload/subject',
        '/payload/big',
        expect.stringMatching(/^\/payload\/nested(\/0)+$/),
      ]),
    );
  });

  it('refuses envelope fields that are not strings (the bus checks only some of them)', () => {
    const record = recordOf({ ...batch, type: 'x', subject: { evil: true } as unknown as string });
    expect(recordProblems(record)).toEqual([{ pointer: '/subject', detail: 'is not a string' }]);
  });
});
