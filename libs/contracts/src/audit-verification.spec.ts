import { GENESIS_HASH, sealRecord } from './audit-seal';
import { checkChain, EMPTY_CHAIN, SealedRecord, unsealed } from './audit-verification';

function chain(length: number): SealedRecord[] {
  const records: SealedRecord[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq++) {
    const record: SealedRecord = {
      seq,
      eventId: `e${seq}`,
      eventTime: new Date(Date.UTC(2026, 10, 22, 10, 0, seq)).toISOString(),
      type: 'com.zt.decision.made',
      source: '/zt/decision',
      actor: 'alice',
      subject: `d${seq}`,
      payload: { decision: 'allow', n: seq },
      prevHash,
      hash: '',
    };
    record.hash = sealRecord(unsealed(record));
    prevHash = record.hash;
    records.push(record);
  }
  return records;
}

describe('checkChain', () => {
  it('accepts an intact chain and returns its head', () => {
    const records = chain(5);
    expect(checkChain(records, EMPTY_CHAIN)).toEqual({ head: { seq: 5, hash: records[4].hash } });
  });

  it('names an altered record', () => {
    const records = chain(5);
    records[2].payload = { decision: 'deny', n: 3 };
    expect(checkChain(records, EMPTY_CHAIN)).toEqual({
      broken: { seq: 3, reason: expect.stringMatching(/altered/) },
    });
  });

  it('names a removed record by the gap it leaves', () => {
    const records = chain(5);
    records.splice(1, 1);
    expect(checkChain(records, EMPTY_CHAIN)).toEqual({
      broken: { seq: 3, reason: 'sequence jumps from 1 to 3' },
    });
  });

  it('names a record re-sealed after its predecessor changed', () => {
    const records = chain(3);
    records[0].actor = 'mallory';
    records[0].hash = sealRecord(unsealed(records[0]));
    expect(checkChain(records, EMPTY_CHAIN)).toEqual({
      broken: { seq: 2, reason: expect.stringMatching(/previous hash/) },
    });
  });
});
