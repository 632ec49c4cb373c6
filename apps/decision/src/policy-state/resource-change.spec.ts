import type { ResourceChangeData } from '@zt/contracts';
import { resourceKey } from '@zt/contracts';
import { isResourceChange } from './policy-changes.consumer';
import { PolicyState } from './policy-state';

const actor = { sub: 'pat', roles: ['policy_admin'] };

function upsert(revision: number, owner: string): ResourceChangeData {
  return {
    resourceType: 'todo',
    resourceId: 't-1',
    revision,
    resource: { type: 'todo', id: 't-1', properties: { owner } },
    actor,
  };
}

describe('resource changes on the policy topic', () => {
  it('accepts what policy-admin publishes: an upsert and a delete', () => {
    expect(isResourceChange(upsert(1, 'rick'))).toBe(true);
    expect(isResourceChange({ ...upsert(2, 'rick'), resource: null })).toBe(true);
  });

  it.each([
    ['no type', { ...upsert(1, 'x'), resourceType: undefined }],
    ['a fractional revision', { ...upsert(1, 'x'), revision: 1.5 }],
    [
      'a resource of another key',
      { ...upsert(1, 'x'), resource: { type: 'todo', id: 't-2', properties: {} } },
    ],
    ['array properties', { ...upsert(1, 'x'), resource: { type: 'todo', id: 't-1', properties: [] } }],
    ['no properties', { ...upsert(1, 'x'), resource: { type: 'todo', id: 't-1' } }],
  ])('refuses a change with %s', (_, data) => {
    expect(isResourceChange(data)).toBe(false);
  });

  it('applies each change once, in revision order, and forgets a deleted resource', () => {
    const state = new PolicyState();
    const key = resourceKey('todo', 't-1');
    expect(state.applyResource(upsert(3, 'rick'))).toBe(true);
    expect(state.applyResource(upsert(2, 'morty'))).toBe(false);
    expect(state.resources.get(key)?.properties).toEqual({ owner: 'rick' });
    expect(state.applyResource({ ...upsert(4, 'rick'), resource: null })).toBe(true);
    expect(state.resources.has(key)).toBe(false);
    expect(state.revision).toBe(4);
  });
});
