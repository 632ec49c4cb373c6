import type { Decision } from '../api-types.js';
import { DecisionCache, requestDigest } from './decision-cache.js';

const decided = (revision: number, decision: Decision['decision'] = 'allow'): Decision => ({
  decision,
  decision_id: `d-${revision}`,
  revision,
  decidingPolicies: [],
  reasons: [],
  userReasons: [],
  obligations: [],
});

describe('DecisionCache', () => {
  it('serves an entry while its revision is the newest seen', () => {
    const cache = new DecisionCache();
    cache.set('k', decided(3));
    expect(cache.get('k')?.decision_id).toBe('d-3');
  });

  it('stops serving every older entry once any answer shows a newer revision', () => {
    const cache = new DecisionCache();
    cache.set('a', decided(3));
    cache.set('b', decided(4));
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')?.revision).toBe(4);
    cache.observeRevision(5);
    expect(cache.get('b')).toBeUndefined();
  });

  it('is bypassed by a request that needs a newer revision than the entry (read-your-writes)', () => {
    const cache = new DecisionCache();
    cache.set('k', decided(3));
    expect(cache.get('k', 4)).toBeUndefined();
    expect(cache.get('k', 3)).toBeDefined();
  });

  it('expires entries after ttlMs and evicts the least recently used beyond maxEntries', () => {
    let now = 0;
    const cache = new DecisionCache({ ttlMs: 100, maxEntries: 2 }, () => now);
    cache.set('a', decided(1));
    cache.set('b', decided(1));
    cache.get('a');
    cache.set('c', decided(1));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    now = 100;
    expect(cache.get('a')).toBeUndefined();
  });
});

describe('requestDigest', () => {
  it('ignores member order and separates callers by token', () => {
    const one = requestDigest({ action: 'read', resource: { id: 'x', type: 't' } }, 'tok');
    expect(requestDigest({ resource: { type: 't', id: 'x' }, action: 'read' }, 'tok')).toBe(one);
    expect(requestDigest({ action: 'read', resource: { id: 'x', type: 't' } }, 'other')).not.toBe(one);
    expect(requestDigest({ action: 'write', resource: { id: 'x', type: 't' } }, 'tok')).not.toBe(one);
  });
});
