import { createHash } from 'node:crypto';
import { canonicalJson } from '@zt/contracts';
import type { DecisionRequest } from '@zt/policy-engine';
import type { DeviceState } from '../device-state/device-facts';
import { DecisionKey } from './decision-cache';

const now = new Date('2026-12-01T10:00:30Z');
const request: DecisionRequest = {
  subject: { id: 'alice@company.com', groups: ['eng'] },
  action: 'read',
  resource: { id: 'gitlab.repo' },
  context: { country: 'DE', device: { id: 'dev-1' } },
};
const reordered: DecisionRequest = {
  context: { device: { id: 'dev-1' }, country: 'DE' },
  resource: { id: 'gitlab.repo' },
  action: 'read',
  subject: { groups: ['eng'], id: 'alice@company.com' },
};
const device: DeviceState = {
  risk: {
    deviceId: 'dev-1',
    score: 0.9,
    model: 'm',
    threshold: 0.75,
    restricted: true,
    explanation: [],
    observedAt: '2026-12-01T09:59:00Z',
    at: '2026-12-01T09:59:01Z',
  },
};

describe('decision cache keys', () => {
  it('digests the canonical request, as the decision log carries it', () => {
    const expected = createHash('sha256').update(canonicalJson(request)).digest('hex');
    expect(new DecisionKey(request, undefined, now).requestDigest).toBe(expected);
  });

  it('keys the shared cache by the canonical digest, the local one by the exact text', () => {
    const a = new DecisionKey(request, undefined, now);
    const b = new DecisionKey(reordered, undefined, now);
    expect(b.requestDigest).toBe(a.requestDigest);
    expect(b.shared(7)).toBe(a.shared(7));
    expect(b.local(7)).not.toBe(a.local(7));
    expect(new DecisionKey(request, undefined, now).local(7)).toBe(a.local(7));
  });

  it('never shares a key across revisions, minutes or device states', () => {
    const base = new DecisionKey(request, undefined, now);
    const later = new DecisionKey(request, undefined, new Date('2026-12-01T10:01:00Z'));
    const risky = new DecisionKey(request, device, now);
    for (const [x, y] of [
      [base.local(7), base.local(8)],
      [base.shared(7), base.shared(8)],
      [base.local(7), later.local(7)],
      [base.shared(7), later.shared(7)],
      [base.local(7), risky.local(7)],
      [base.shared(7), risky.shared(7)],
    ]) {
      expect(x).not.toBe(y);
    }
  });

  it('does not depend on the minute when the request names its time', () => {
    const timed = { ...request, context: { ...request.context, time: '2026-12-01T08:00:00Z' } };
    const a = new DecisionKey(timed, undefined, now);
    const b = new DecisionKey(timed, undefined, new Date('2026-12-01T11:00:00Z'));
    expect(b.local(7)).toBe(a.local(7));
    expect(b.shared(7)).toBe(a.shared(7));
  });

  it('keys a long request locally by its digest, so the local cache stays bounded', () => {
    const long = { ...request, context: { ...request.context, note: 'x'.repeat(5000) } };
    const key = new DecisionKey(long, undefined, now);
    expect(key.local(7)).toBe(key.shared(7));
    expect(key.local(7).length).toBeLessThan(200);
  });
});
