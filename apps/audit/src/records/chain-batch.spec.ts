import { checkChain, GENESIS_HASH, sealRecord } from '@zt/contracts';
import { NewAuditRecord, newRecordsOf, sealBatch } from './chain-batch';

const record = (eventId: string, payload: unknown = { n: eventId }): NewAuditRecord => ({
  eventId,
  eventTime: '2026-12-02T10:00:00.000Z',
  type: 'com.zt.decision.made',
  source: '/zt/decision',
  actor: 'alice',
  subject: eventId,
  payload,
});

/** What appending one record at a time gives: the chain a batch must reproduce exactly. */
function oneByOne(head: { seq: number; hash: string } | undefined, records: NewAuditRecord[]) {
  const chain = [];
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? GENESIS_HASH;
  for (const r of records) {
    const sealable = { ...r, seq: ++seq, prevHash };
    prevHash = sealRecord(sealable);
    chain.push({ ...sealable, hash: prevHash });
  }
  return chain;
}

describe('chaining a batch in memory', () => {
  it('seals a batch on an empty chain from genesis, exactly as one append after another would', () => {
    const records = ['a', 'b', 'c'].map((id) => record(id));
    const sealed = sealBatch(undefined, records);
    expect(sealed).toEqual(oneByOne(undefined, records));
    expect(sealed.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(sealed[0].prevHash).toBe(GENESIS_HASH);
  });

  it('continues the chain from its head (or a pruned chain from its anchor)', () => {
    const head = { seq: 41, hash: 'f'.repeat(64) };
    const records = ['x', 'y'].map((id) => record(id));
    const sealed = sealBatch(head, records);
    expect(sealed).toEqual(oneByOne(head, records));
    expect(sealed[0]).toMatchObject({ seq: 42, prevHash: head.hash });
    expect(sealed[1].prevHash).toBe(sealed[0].hash);
  });

  it('gives a chain that verifies, and that breaks where a sealed record is altered', () => {
    const sealed = sealBatch(
      undefined,
      ['a', 'b', 'c', 'd'].map((id) => record(id)),
    );
    expect(checkChain(sealed, { seq: 0, hash: GENESIS_HASH })).toMatchObject({ head: { seq: 4 } });
    sealed[2] = { ...sealed[2], payload: { n: 'changed' } };
    expect(checkChain(sealed, { seq: 0, hash: GENESIS_HASH })).toMatchObject({ broken: { seq: 3 } });
  });

  it('seals nothing for an empty batch', () => {
    expect(sealBatch({ seq: 3, hash: 'a'.repeat(64) }, [])).toEqual([]);
  });
});

describe('the new records of a batch', () => {
  it('skips records already in the chain and repeats within the batch, keeping batch order', () => {
    const records = ['a', 'b', 'a', 'c', 'b', 'd'].map((id, i) => record(id, { i }));
    const fresh = newRecordsOf(records, new Set(['c']));
    expect(fresh.map((r) => [r.eventId, r.payload])).toEqual([
      ['a', { i: 0 }],
      ['b', { i: 1 }],
      ['d', { i: 5 }],
    ]);
  });

  it('keeps every record of a batch nobody has seen', () => {
    const records = ['a', 'b'].map((id) => record(id));
    expect(newRecordsOf(records, new Set())).toEqual(records);
  });
});
