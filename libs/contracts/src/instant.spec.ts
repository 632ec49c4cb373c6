import { parseRfc3339 } from './instant';

describe('parseRfc3339', () => {
  it('reads a date-time with Z or an offset', () => {
    expect(parseRfc3339('2025-03-01T10:00:00Z')?.toISOString()).toBe('2025-03-01T10:00:00.000Z');
    expect(parseRfc3339('2025-03-01t10:00:00z')?.toISOString()).toBe('2025-03-01T10:00:00.000Z');
    expect(parseRfc3339('2025-03-01T12:00:00+02:00')?.toISOString()).toBe('2025-03-01T10:00:00.000Z');
    expect(parseRfc3339('2025-03-01T10:00:00.123456789Z')?.toISOString()).toBe('2025-03-01T10:00:00.123Z');
  });

  it('reads a leap second as the next second', () => {
    expect(parseRfc3339('2016-12-31T23:59:60Z')?.toISOString()).toBe('2017-01-01T00:00:00.000Z');
  });

  it('refuses what is not a full RFC 3339 date-time', () => {
    for (const text of [
      '',
      '2025-03-01',
      '2025-03-01T10:00:00',
      '2025-03-01 10:00:00Z',
      '2025-03-01T10:00Z',
      '2025-02-29T10:00:00Z',
      '2025-13-01T10:00:00Z',
      '2025-03-01T24:00:00Z',
      '2025-03-01T10:00:00+24:00',
      'Sat, 01 Mar 2025 10:00:00 GMT',
      '1740823200',
    ]) {
      expect([text, parseRfc3339(text)]).toEqual([text, undefined]);
    }
  });

  it('accepts 29 February in a leap year', () => {
    expect(parseRfc3339('2024-02-29T00:00:00Z')?.toISOString()).toBe('2024-02-29T00:00:00.000Z');
  });
});
