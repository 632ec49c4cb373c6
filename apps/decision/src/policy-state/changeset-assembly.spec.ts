import { PolicyState } from './policy-state';

const doc = (id: string, effect: 'allow' | 'deny') => ({
  id,
  name: id,
  subjects: ['*'],
  resources: ['ledger.*'],
  actions: ['read'],
  effect,
});

function policy(
  id: string,
  revision: number,
  effect: 'allow' | 'deny' | null,
  set?: { id: string; count: number },
) {
  return {
    policyId: id,
    revision,
    version: revision,
    format: 'zt' as const,
    document: effect ? doc(id, effect) : null,
    ...(set ? { changeset: set } : {}),
  };
}

function ids(state: PolicyState): string[] {
  return state.policies
    .all()
    .map((p) => p.id)
    .sort();
}

describe('PolicyState with atomic change sets', () => {
  it('holds the changes of a set until the last arrives, then applies all and advances once', () => {
    const state = new PolicyState();
    state.apply(policy('allow', 1, 'allow'));
    const seen: number[] = [];
    state.onRevision((r) => seen.push(r));
    const set = { id: 's1', count: 3 };
    state.apply(policy('allow', 2, null, set));
    state.applyPrincipal({ principalId: 'alice', revision: 2, principal: null, changeset: set });
    expect(state.revision).toBe(1);
    expect(ids(state)).toEqual(['allow']);
    state.apply(policy('deny', 2, 'deny', set));
    expect(state.revision).toBe(2);
    expect(ids(state)).toEqual(['deny']);
    expect(seen).toEqual([2]);
  });

  it('closes a set whose missing changes were compacted away when a later revision arrives', () => {
    const state = new PolicyState();
    const set = { id: 's1', count: 3 };
    state.apply(policy('a', 5, 'allow', set));
    state.apply(policy('b', 5, 'allow', set));
    expect(state.revision).toBe(0);
    // The third change of revision 5 was superseded by this one and compacted out of the topic.
    state.apply(policy('c', 6, 'deny'));
    expect(ids(state)).toEqual(['a', 'b', 'c']);
    expect(state.revision).toBe(6);
  });

  it('takes a re-published change of an open set once, and ignores the set once applied', () => {
    const state = new PolicyState();
    const set = { id: 's1', count: 2 };
    state.apply(policy('a', 3, 'allow', set));
    state.apply(policy('a', 3, 'allow', set));
    expect(state.revision).toBe(0);
    state.apply(policy('b', 3, 'deny', set));
    expect(state.revision).toBe(3);
    expect(state.apply(policy('a', 3, 'allow', set))).toBe(false);
    expect(state.revision).toBe(3);
  });

  it('forgets an open set a snapshot already holds, and applies replays under the snapshot at once', () => {
    const state = new PolicyState();
    const set = { id: 's1', count: 2 };
    state.apply(policy('a', 4, 'allow', set));
    state.load({
      revision: 4,
      policies: [policy('a', 4, 'allow'), policy('b', 4, 'deny')],
      principals: [],
      resources: [],
    });
    expect(ids(state)).toEqual(['a', 'b']);
    expect(state.apply(policy('b', 4, 'deny', set))).toBe(false);
    state.apply(policy('c', 5, 'allow', { id: 's2', count: 1 }));
    expect(state.revision).toBe(5);
    expect(ids(state)).toEqual(['a', 'b', 'c']);
  });
});

describe('PolicyState under redelivery', () => {
  it('shows at every revision it reaches exactly that revision’s state, whatever is re-read', () => {
    // Sets flipping an allow for a deny, each: delete one, set a principal, create the other.
    const stream: ReturnType<typeof policy>[] = [];
    const truth = new Map<number, string>([[1, 'allow']]);
    stream.push(policy('allow', 1, 'allow'));
    for (let flip = 1; flip <= 20; flip++) {
      const r = flip + 1;
      const [from, to] = flip % 2 === 1 ? ['allow', 'deny'] : ['deny', 'allow'];
      const set = { id: `s${r}`, count: 2 };
      stream.push(policy(from, r, null, set), policy(to, r, to as 'allow' | 'deny', set));
      truth.set(r, to);
    }
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let round = 0; round < 50; round++) {
      const state = new PolicyState();
      let offset = 0;
      while (offset < stream.length) {
        state.apply(stream[offset]);
        expect(ids(state)).toEqual(state.revision === 0 ? [] : [truth.get(state.revision)]);
        // A rebalance now and then re-reads from an earlier offset.
        offset = random() < 0.2 ? Math.max(0, offset - Math.floor(random() * 5)) : offset + 1;
      }
      expect(state.revision).toBe(21);
    }
  });
});
