import { ProblemError } from '@zt/http';
import { principalListFilterOf, resourceListFilterOf } from './directory-query';

const cursor = (key: string) => Buffer.from(key).toString('base64url');

function pointersOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ProblemError) {
      return (error.extra.errors ?? []).map((e) => e.pointer).sort();
    }
    throw error;
  }
  return [];
}

describe('directory list queries', () => {
  it('reads the principal filters, with a page of 100 by default', () => {
    expect(
      principalListFilterOf({
        type: 'user',
        role: 'sre',
        group: 'ops',
        attribute: ['level:3', 'url:https://x'],
      }),
    ).toEqual({
      limit: 100,
      type: 'user',
      role: 'sre',
      group: 'ops',
      attributes: [
        { name: 'level', value: '3' },
        { name: 'url', value: 'https://x' },
      ],
    });
  });

  it('takes the cursor as the key the page starts after', () => {
    expect(principalListFilterOf({ cursor: cursor('bob@x'), limit: '500' })).toMatchObject({
      after: 'bob@x',
      limit: 500,
    });
    expect(resourceListFilterOf({ cursor: cursor('todo/a/b') })).toMatchObject({
      after: { type: 'todo', id: 'a/b' },
    });
  });

  it('refuses each bad parameter with its pointer', () => {
    expect(pointersOf(() => principalListFilterOf({ limit: '0', cursor: '***', roles: 'x' }))).toEqual([
      '/cursor',
      '/limit',
      '/roles',
    ]);
    expect(
      pointersOf(() => principalListFilterOf({ type: 'robot', group: ['a', 'b'], attribute: ':x' })),
    ).toEqual(['/attribute', '/group', '/type']);
    expect(pointersOf(() => principalListFilterOf({ role: 'a\u0000b', cursor: cursor('a\u0000') }))).toEqual([
      '/cursor',
      '/role',
    ]);
    expect(pointersOf(() => resourceListFilterOf({ cursor: cursor('todo/'), 'a/b~': '1' }))).toEqual([
      '/a~1b~0',
      '/cursor',
    ]);
    expect(pointersOf(() => resourceListFilterOf({ property: Array(11).fill('a:b') }))).toEqual([
      '/property',
    ]);
  });
});
