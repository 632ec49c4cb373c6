import { GENESIS_HASH, SealableRecord, sealRecord } from './audit-seal';

const record: SealableRecord = {
  seq: 1,
  eventId: 'e1',
  eventTime: '2026-11-22T10:00:00.000Z',
  type: 'com.zt.policy.created',
  source: '/zt/policy-admin',
  actor: 'admin@company.com',
  subject: 'pol_1',
  payload: { b: 1, a: [1, 2] },
  prevHash: GENESIS_HASH,
};

describe('audit chain', () => {
  it('seals a record as a SHA-256 hex digest independent of member order', () => {
    const reordered = { ...record, payload: { a: [1, 2], b: 1 } };
    expect(sealRecord(record)).toMatch(/^[0-9a-f]{64}$/);
    expect(sealRecord(reordered)).toBe(sealRecord(record));
  });

  it('changes the seal when any covered field changes, the previous hash included', () => {
    const base = sealRecord(record);
    expect(sealRecord({ ...record, actor: 'mallory@company.com' })).not.toBe(base);
    expect(sealRecord({ ...record, payload: { b: 2, a: [1, 2] } })).not.toBe(base);
    expect(sealRecord({ ...record, prevHash: 'f'.repeat(64) })).not.toBe(base);
    expect(sealRecord({ ...record, seq: 2 })).not.toBe(base);
  });
});
