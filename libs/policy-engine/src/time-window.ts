/** A parsed access window: days of the week, minutes of the day, and the zone they are read in. */
export interface TimeWindow {
  /** 0 = Sunday ... 6 = Saturday; all seven when the window names no days. */
  days: number[];
  startMinute: number;
  endMinute: number;
  timeZone: string;
}

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * Zone abbreviations people write in policies, mapped to IANA zones so daylight saving time is
 * applied as the people who wrote "EST" meant it (Eastern time, EST or EDT as the date has it).
 */
export const ZONE_ABBREVIATIONS: Readonly<Record<string, string>> = {
  UTC: 'UTC',
  GMT: 'UTC',
  Z: 'UTC',
  EST: 'America/New_York',
  EDT: 'America/New_York',
  ET: 'America/New_York',
  CST: 'America/Chicago',
  CDT: 'America/Chicago',
  CT: 'America/Chicago',
  MST: 'America/Denver',
  MDT: 'America/Denver',
  MT: 'America/Denver',
  PST: 'America/Los_Angeles',
  PDT: 'America/Los_Angeles',
  PT: 'America/Los_Angeles',
  BST: 'Europe/London',
  CET: 'Europe/Paris',
  CEST: 'Europe/Paris',
  EET: 'Europe/Athens',
  IST: 'Asia/Kolkata',
  JST: 'Asia/Tokyo',
  AEST: 'Australia/Sydney',
  AEDT: 'Australia/Sydney',
};

const formatters = new Map<string, Intl.DateTimeFormat>();

/** A formatter per zone, created once: building one costs far more than using it. */
function formatterFor(timeZone: string): Intl.DateTimeFormat | undefined {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      return undefined;
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function minutes(text: string): number | undefined {
  const m = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text) ?? (text === '24:00' ? ['24:00', '24', '00'] : null);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

function dayRange(text: string): number[] | undefined {
  const days = new Set<number>();
  for (const part of text.toLowerCase().split(',')) {
    const [from, to] = part.split('-');
    const a = DAYS.indexOf(from.slice(0, 3));
    const b = to === undefined ? a : DAYS.indexOf(to.slice(0, 3));
    if (a < 0 || b < 0 || from.length < 3 || (to !== undefined && to.length < 3)) return undefined;
    for (let d = a; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === b) break;
    }
  }
  return [...days].sort();
}

/**
 * Parses `09:00-17:00 UTC`, `Mon-Fri 08:00-20:00 EST`, `Sat,Sun 10:00-14:00 Europe/Berlin` or
 * an overnight `22:00-06:00 UTC`. The zone is an abbreviation above or an IANA name; none means
 * UTC. Returns an error message instead when the text is not such a window.
 */
export function parseTimeWindow(text: string): TimeWindow | string {
  const parts = text.trim().split(/\s+/);
  let days = [0, 1, 2, 3, 4, 5, 6];
  if (parts.length > 0 && /^[A-Za-z]/.test(parts[0]) && !parts[0].includes(':')) {
    const parsed = dayRange(parts[0]);
    if (!parsed) return `"${parts[0]}" is not a day or day range such as Mon-Fri`;
    days = parsed;
    parts.shift();
  }
  const hours = parts.shift();
  const range = hours?.split('-');
  const start = range?.length === 2 ? minutes(range[0]) : undefined;
  const end = range?.length === 2 ? minutes(range[1]) : undefined;
  if (start === undefined || end === undefined || start === end) {
    return `"${hours ?? ''}" is not an hour range such as 09:00-17:00`;
  }
  const zoneText = parts.shift() ?? 'UTC';
  if (parts.length > 0) return `unexpected "${parts.join(' ')}" after the time zone`;
  const timeZone = ZONE_ABBREVIATIONS[zoneText.toUpperCase()] ?? zoneText;
  if (!formatterFor(timeZone)) return `"${zoneText}" is not a known time zone`;
  return { days, startMinute: start, endMinute: end, timeZone };
}

/** Whether an instant falls inside the window, read on the window's own wall clock. */
export function inTimeWindow(window: TimeWindow, at: Date): boolean {
  const formatter = formatterFor(window.timeZone);
  if (!formatter || Number.isNaN(at.getTime())) return false;
  let weekday = 0;
  let minute = 0;
  for (const part of formatter.formatToParts(at)) {
    if (part.type === 'weekday') weekday = DAYS.indexOf(part.value.toLowerCase());
    else if (part.type === 'hour') minute += Number(part.value) * 60;
    else if (part.type === 'minute') minute += Number(part.value);
  }
  if (window.startMinute < window.endMinute) {
    return window.days.includes(weekday) && minute >= window.startMinute && minute < window.endMinute;
  }
  // Overnight: the part after midnight belongs to the day the window started.
  if (minute >= window.startMinute) return window.days.includes(weekday);
  return minute < window.endMinute && window.days.includes((weekday + 6) % 7);
}
