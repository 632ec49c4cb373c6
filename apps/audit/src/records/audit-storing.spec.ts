import { createCloudEvent, EventSources, EventTypes, Topics } from '@zt/contracts';
import { QueryFailedError } from 'typeorm';
import type { Rejected } from '../dead-letters/dead-letter';
import type { DeadLettersService } from '../dead-letters/dead-letters.service';
import type { AuditRepository, NewAuditRecord } from './audit.repository';
import { AuditService } from './audit.service';

const failed = (code: string) =>
  new QueryFailedError('INSERT ...', [], Object.assign(new Error(`refused (${code})`), { code }));

/**
 * A repository that stores in memory and fails the insert of chosen event ids with chosen errors;
 * a batch holding one of them fails whole, as one INSERT statement does.
 */
function storing(failures: Record<string, Error>) {
  const appended: string[] = [];
  const batches: string[][] = [];
  const repository = {
    append: (record: NewAuditRecord) => {
      const failure = failures[record.eventId];
      if (failure) return Promise.reject(failure);
      appended.push(record.eventId);
      return Promise.resolve(true);
    },
    appendBatch: (records: NewAuditRecord[]) => {
      const failure = records.map((r) => failures[r.eventId]).find((f) => f !== undefined);
      if (failure) return Promise.reject(failure);
      const ids = records.map((r) => r.eventId).filter((id) => !appended.includes(id));
      batches.push(ids);
      appended.push(...ids);
      return Promise.resolve(ids.length);
    },
  } as unknown as AuditRepository;
  const rejected: Rejected[] = [];
  const deadLetters = {
    add: (letter: Rejected) => {
      rejected.push(letter);
      return Promise.resolve(true);
    },
  } as unknown as DeadLettersService;
  return { audit: new AuditService(repository, deadLetters), appended, batches, rejected };
}

const batchOf = (...ids: string[]) =>
  createCloudEvent({
    source: EventSources.decision,
    type: EventTypes.decisionBatch,
    data: { decisions: ids.map((decisionId) => ({ decisionId, subject: 'alice' })) },
  });
const delivery = { topic: Topics.decisionLog, key: null, partition: 0, offset: '7' };

describe('storing bus events: dead letters for data, retries for infrastructure', () => {
  it('dead-letters a record the database refuses for its data and stores the others, in order', async () => {
    const { audit, appended, rejected } = storing({ 'decision-b': failed('22P05') });
    const batch = batchOf('a', 'b', 'c');
    expect(await audit.recordEvent(batch, delivery)).toBe(3);
    expect(appended).toEqual(['decision-a', 'decision-c']);
    expect(rejected).toEqual([
      {
        arrival: {
          topic: Topics.decisionLog,
          partition: 0,
          offset: '7',
          messageId: batch.id,
          messageType: batch.type,
        },
        entryIndex: 1,
        content: { decisionId: 'b', subject: 'alice' },
        reason: 'rejected_by_database',
        detail: 'SQLSTATE 22P05: refused (22P05)',
      },
    ]);
  });

  it('fails the message on an infrastructure error, storing and dead-lettering nothing, so the bus delivers it again', async () => {
    for (const error of [failed('57P01'), failed('08006'), new Error('Connection terminated unexpectedly')]) {
      const { audit, appended, rejected } = storing({ 'decision-b': error });
      await expect(audit.recordEvent(batchOf('a', 'b', 'c'), delivery)).rejects.toBe(error);
      expect(appended).toEqual([]);
      expect(rejected).toEqual([]);
    }
  });

  it('never offers the database a record the input rule refuses', async () => {
    const { audit, appended, rejected } = storing({});
    expect(await audit.recordEvent(batchOf('a', 'b\u0000', 'c'), delivery)).toBe(3);
    expect(appended).toEqual(['decision-a', 'decision-c']);
    expect(rejected.map((r) => [r.entryIndex, r.reason])).toEqual([[1, 'unsafe_input']]);
  });

  it('appends the records of many messages in one batch, dead letters keeping their place between batches', async () => {
    const { audit, batches, rejected } = storing({});
    const broken = createCloudEvent({
      source: EventSources.decision,
      type: EventTypes.decisionBatch,
      data: {},
    });
    const added = await audit.recordEvents([
      { event: batchOf('a', 'b'), info: delivery },
      { event: batchOf('c'), info: delivery },
      { event: broken, info: delivery },
      { event: batchOf('d', 'e'), info: delivery },
    ]);
    expect(added).toBe(6);
    expect(batches).toEqual([
      ['decision-a', 'decision-b', 'decision-c'],
      ['decision-d', 'decision-e'],
    ]);
    expect(rejected.map((r) => [r.arrival.messageId, r.reason])).toEqual([[broken.id, 'malformed']]);
  });

  it('counts only the new records of a batch delivered again', async () => {
    const { audit, appended } = storing({});
    expect(await audit.recordEvents([{ event: batchOf('a', 'b'), info: delivery }])).toBe(2);
    expect(await audit.recordEvents([{ event: batchOf('b', 'c'), info: delivery }])).toBe(1);
    expect(appended).toEqual(['decision-a', 'decision-b', 'decision-c']);
  });
});
