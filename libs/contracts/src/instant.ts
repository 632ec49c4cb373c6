// date-time of RFC 3339 §5.6: a full date, a time with seconds, and an offset (Z or ±hh:mm).
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The instant an RFC 3339 date-time names, or undefined when the text is not one (a date
 * without a time or offset, or a day the month does not have, is refused rather than guessed).
 */
export function parseRfc3339(text: string): Date | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  // Second 60 is a leap second: JavaScript time has none, so it stands for the next second.
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  if (m[9] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return undefined;
  // Milliseconds are all a Date holds: further digits are dropped, not rounded up.
  const fraction = (m[7] ?? '').slice(0, 4);
  const offset = m[8].toUpperCase();
  const wall = Date.parse(
    `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${second === 60 ? '59' : m[6]}${fraction}${offset}`,
  );
  if (Number.isNaN(wall)) return undefined;
  return new Date(second === 60 ? wall + 1000 : wall);
}
