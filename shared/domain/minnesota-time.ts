import { z } from 'zod';

/** A Minnesota calendar date, 'YYYY-MM-DD'. Program deadlines are days, not instants. */
export type IsoDate = string;

// z.iso.date() checks the real calendar too (no 2023-02-29, no 2023-04-31).
export const IsoDateSchema = z.iso.date({ error: 'must be a date as YYYY-MM-DD' });

const MINNESOTA_TIME_ZONE = 'America/Chicago';
const MS_PER_DAY = 86_400_000;
const ISO_DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

// Building a DateTimeFormat is costly; one shared instance serves every call.
const minnesotaFormatter = new Intl.DateTimeFormat('en-US', {
  timeZone: MINNESOTA_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

function minnesotaWallClock(instant: Date): WallClock {
  const time = instant.getTime();
  if (Number.isNaN(time)) {
    throw new RangeError('Invalid Date');
  }
  const fields: Record<string, number> = {};
  for (const part of minnesotaFormatter.formatToParts(instant)) {
    if (part.type !== 'literal') {
      fields[part.type] = Number(part.value);
    }
  }
  return {
    year: fields.year ?? 0,
    month: fields.month ?? 0,
    day: fields.day ?? 0,
    hour: fields.hour ?? 0,
    minute: fields.minute ?? 0,
    second: fields.second ?? 0,
  };
}

/** Days since 1970-01-01 for a valid IsoDate; throws on anything else so bad data cannot shift a deadline silently. */
function toEpochDay(date: IsoDate): number {
  const match = ISO_DATE_PATTERN.exec(date);
  if (match) {
    const year = Number(match[1]);
    const month = Number(match[2]);
    const day = Number(match[3]);
    const ms = Date.UTC(year, month - 1, day);
    const check = new Date(ms);
    if (check.getUTCFullYear() === year && check.getUTCMonth() === month - 1 && check.getUTCDate() === day) {
      return ms / MS_PER_DAY;
    }
  }
  throw new RangeError(`Not a date as YYYY-MM-DD: '${date}'`);
}

function fromEpochDay(epochDay: number): IsoDate {
  return new Date(epochDay * MS_PER_DAY).toISOString().slice(0, 10);
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

/** The calendar date in Minnesota at that instant (a 06:00 UTC job may still be on yesterday in Minnesota). */
export function minnesotaDateOf(instant: Date): IsoDate {
  const wall = minnesotaWallClock(instant);
  return `${pad(wall.year, 4)}-${pad(wall.month, 2)}-${pad(wall.day, 2)}`;
}

/** Minnesota's offset from UTC in ms at that instant (e.g. -6 h in CST, -5 h in CDT). */
function minnesotaOffsetMs(instantMs: number): number {
  const wall = minnesotaWallClock(new Date(instantMs));
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return wallAsUtc - Math.floor(instantMs / 1000) * 1000;
}

/** The instant of 00:00 in Minnesota on that date; DST changes happen at 02:00, so midnight always exists once. */
export function startOfMinnesotaDay(date: IsoDate): Date {
  const midnightAsUtc = toEpochDay(date) * MS_PER_DAY;
  // Two passes: the first guess may use the offset from the other side of a DST change.
  let instant = midnightAsUtc - minnesotaOffsetMs(midnightAsUtc);
  instant = midnightAsUtc - minnesotaOffsetMs(instant);
  return new Date(instant);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  if (!Number.isInteger(days)) {
    throw new RangeError(`days must be an integer, got ${days}`);
  }
  return fromEpochDay(toEpochDay(date) + days);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: IsoDate): number {
  // 1970-01-01 was a Thursday (4).
  return (((toEpochDay(date) + 4) % 7) + 7) % 7;
}

/** Negative when a is before b, 0 when equal, positive when after; usable as a sort comparator. */
export function compareIsoDates(a: IsoDate, b: IsoDate): number {
  return toEpochDay(a) - toEpochDay(b);
}

/** b − a in calendar days. */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return toEpochDay(b) - toEpochDay(a);
}

/** [first instant, last millisecond] of a run of Minnesota days, as sortable ISO strings (index ranges). */
export function instantsOfMinnesotaDays(firstDay: IsoDate, lastDay: IsoDate): [string, string] {
  return [
    startOfMinnesotaDay(firstDay).toISOString(),
    new Date(startOfMinnesotaDay(addDays(lastDay, 1)).getTime() - 1).toISOString(),
  ];
}

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** 2017-11-29 → "Wednesday, November 29, 2017" (or without the weekday), as emails and sheets write dates. */
export function writtenDate(date: IsoDate, withWeekday = true): string {
  const d = new Date(`${date}T12:00:00Z`);
  const text = `${MONTH_NAMES[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
  return withWeekday ? `${WEEKDAY_NAMES[d.getUTCDay()]}, ${text}` : text;
}
