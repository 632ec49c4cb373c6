import { inTimeWindow, parseTimeWindow, TimeWindow } from './time-window';

function window(text: string): TimeWindow {
  const parsed = parseTimeWindow(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

describe('time windows', () => {
  it('reads the seed examples', () => {
    expect(window('09:00-17:00 UTC')).toEqual({
      days: [0, 1, 2, 3, 4, 5, 6],
      startMinute: 540,
      endMinute: 1020,
      timeZone: 'UTC',
    });
    expect(window('Mon-Fri 08:00-20:00 EST')).toMatchObject({
      days: [1, 2, 3, 4, 5],
      timeZone: 'America/New_York',
    });
  });

  it('follows daylight saving time in the named zone', () => {
    const eastern = window('Mon-Fri 08:00-20:00 EST');
    // 12:30 UTC is 08:30 EDT in July but 07:30 EST in January.
    expect(inTimeWindow(eastern, new Date('2026-07-15T12:30:00Z'))).toBe(true);
    expect(inTimeWindow(eastern, new Date('2026-01-14T12:30:00Z'))).toBe(false);
  });

  it('uses the local day, not the UTC day', () => {
    // Saturday 02:00 UTC is still Friday 21:00 in New York.
    const evening = window('Fri 20:00-23:00 America/New_York');
    expect(inTimeWindow(evening, new Date('2026-11-21T02:00:00Z'))).toBe(true);
  });

  it('handles windows across midnight as belonging to the day they start', () => {
    const night = window('Fri 22:00-06:00 UTC');
    expect(inTimeWindow(night, new Date('2026-11-20T23:00:00Z'))).toBe(true); // Friday 23:00
    expect(inTimeWindow(night, new Date('2026-11-21T05:00:00Z'))).toBe(true); // Saturday 05:00
    expect(inTimeWindow(night, new Date('2026-11-22T05:00:00Z'))).toBe(false); // Sunday 05:00
  });

  it('refuses what is not a window, saying why', () => {
    expect(parseTimeWindow('Mon-Fri 25:00-17:00 UTC')).toMatch(/hour range/);
    expect(parseTimeWindow('Someday 09:00-17:00 UTC')).toMatch(/day/);
    expect(parseTimeWindow('09:00-17:00 Mars/Olympus')).toMatch(/time zone/);
    expect(parseTimeWindow('09:00-09:00 UTC')).toMatch(/hour range/);
  });
});
