import { createCloudEvent, EventSources, EventTypes, Topics } from '@zt/contracts';
import { QueryFailedError } from 'typeorm';
import type { Rejected } from '../dead-letters/dead-letter';
import type { DeadLettersService } from '../dead-letters/dead-letters.service';
import type { AuditRepository, NewAuditRecord } from './audit.repository';
import { AuditService } from './audit.service';

const failed = (code: string) =>
  new QueryFailedError('INSERT ...', [], Object.assign(new Error(`refused (${code})`), { code }));

/** A repository that stores in memory and fails the insert of chosen event ids with chosen errors. */
function storing(failures: Record<string, Error>) {
  const appended: string[] = [];
  const repository = {
    append: (record: NewAuditRecord) => {
      const failure = failures[record.eventId];
      if (failure) return Promise.reject(failure);
      appended.push(record.eventId);
      return Promise.resolve(true);
    },
  } as unknown as AuditRepository;
  const rejected: Rejected[] = [];
  const deadLetters = {
    add: (letter: Rejected) => {
      rejected.push(letter);
      return Promise.resolve(true);
    },
  } as unknown as DeadLettersService;
  return { audit: new AuditService(repository, deadLetters), appended, rejected };
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

  it('fails the message on an infrastructure error, dead-lettering nothing, so the bus delivers it again', async () => {
    for (const error of [failed('57P01'), failed('08006'), new Error('Connection terminated unexpectedly')]) {
      const { audit, appended, rejected } = storing({ 'decision-b': error });
      await expect(audit.recordEvent(batchOf('a', 'b', 'c'), delivery)).rejects.toBe(error);
      expect(appended).toEqual(['decision-a']);
      expect(rejected).toEqual([]);
    }
  });

  it('never offers the database a record the input rule refuses', async () => {
    const { audit, appended, rejected } = storing({});
    expect(await audit.recordEvent(batchOf('a', 'b\u0000', 'c'), delivery)).toBe(3);
    expect(appended).toEqual(['decision-a', 'decision-c']);
    expect(rejected.map((r) => [r.entryIndex, r.reason])).toEqual([[1, 'unsafe_input']]);
  });
});
