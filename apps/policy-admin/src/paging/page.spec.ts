import type { FieldError } from '@zt/http';
import { pageOf, pageRequestOf } from './page';

function request(query: { limit?: unknown; cursor?: unknown }) {
  const errors: FieldError[] = [];
  return { page: pageRequestOf(query, errors), pointers: errors.map((e) => e.pointer) };
}

describe('paging', () => {
  it('defaults to 100 and takes 1 to 500 written as digits only', () => {
    expect(request({}).page).toEqual({ limit: 100 });
    expect(request({ limit: '500' }).page.limit).toBe(500);
    for (const limit of ['0', '501', ' 5', '1e2', '0x10', '', ['1', '2']]) {
      expect(request({ limit }).pointers).toEqual(['/limit']);
    }
  });

  it('makes the cursor of the next page from the last key, and reads it back', () => {
    const rows = ['a', 'b', 'c/ü'];
    expect(pageOf(rows, 3, (r) => r)).toEqual({ items: rows });
    const first = pageOf(rows, 2, (r) => r);
    expect(first.items).toEqual(['a', 'b']);
    expect(request({ cursor: first.nextCursor }).page.after).toBe('b');
    expect(request({ cursor: pageOf(rows, 2, () => 'c/ü').nextCursor }).page.after).toBe('c/ü');
  });

  it('refuses a cursor no page returned', () => {
    for (const cursor of ['', '!!', 'a'.repeat(1401), Buffer.from('a\u0000').toString('base64url'), ['x']]) {
      expect(request({ cursor }).pointers).toEqual(['/cursor']);
    }
  });
});
