import { TodoStore } from './todo-store';

describe('TodoStore', () => {
  const seed = { ID: 't1', Title: 'one', Completed: false, OwnerID: 'morty@the-citadel.com' };

  it('names the owner of a stored todo, and none for a missing one', () => {
    const store = new TodoStore([seed]);
    expect(store.ownerOf('t1')).toBe('morty@the-citadel.com');
    expect(store.ownerOf('t2')).toBeUndefined();
  });

  it('adds, updates and removes, handing out copies the caller cannot change the store through', () => {
    const store = new TodoStore();
    const added = store.add('buy milk', 'rick@the-citadel.com');
    expect(added).toMatchObject({ Title: 'buy milk', Completed: false, OwnerID: 'rick@the-citadel.com' });
    added.OwnerID = 'jerry@the-smiths.com';
    expect(store.ownerOf(added.ID)).toBe('rick@the-citadel.com');
    expect(store.update(added.ID, { Completed: true })).toMatchObject({ Completed: true, Title: 'buy milk' });
    expect(store.update('missing', { Completed: true })).toBeUndefined();
    expect(store.remove(added.ID)).toBe(true);
    expect(store.remove(added.ID)).toBe(false);
    expect(store.list()).toEqual([]);
  });
});
