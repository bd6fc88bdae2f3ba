import { addDays, compareIsoDates, dayOfWeek, daysBetween, type IsoDate } from './minnesota-time';

/*
 * Minnesota state holidays, Minn. Stat. § 645.44, subd. 5:
 *   New Year's Day, January 1
 *   Martin Luther King's Birthday, the third Monday in January
 *   Washington's and Lincoln's Birthday, the third Monday in February
 *   Memorial Day, the last Monday in May
 *   Juneteenth, June 19 (added to the statute in 2023; a state holiday from 2023 on only)
 *   Independence Day, July 4
 *   Labor Day, the first Monday in September
 *   Christopher Columbus Day, the second Monday in October
 *   Veterans Day, November 11
 *   Thanksgiving Day, the fourth Thursday in November
 *   the day after Thanksgiving
 *   Christmas Day, December 25
 * Observance: when New Year's Day, Juneteenth, Independence Day, Veterans Day or Christmas Day falls on a
 * Sunday, the following Monday is the holiday; when it falls on a Saturday, the preceding Friday is.
 */

export interface MinnesotaHoliday {
  readonly date: IsoDate;
  readonly name: string;
}

const JUNETEENTH_FIRST_YEAR = 2023;

function isoDate(year: number, month: number, day: number): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The n-th (1-based) given weekday of a month. */
function nthWeekday(year: number, month: number, weekday: number, n: number): IsoDate {
  const first = isoDate(year, month, 1);
  const offset = (weekday - dayOfWeek(first) + 7) % 7;
  return addDays(first, offset + 7 * (n - 1));
}

function lastWeekday(year: number, month: number, weekday: number): IsoDate {
  const nextMonthFirst = month === 12 ? isoDate(year + 1, 1, 1) : isoDate(year, month + 1, 1);
  const last = addDays(nextMonthFirst, -1);
  const back = (dayOfWeek(last) - weekday + 7) % 7;
  return addDays(last, -back);
}

/** Applies the statute's Saturday → Friday, Sunday → Monday rule to a fixed-date holiday. */
function observedFixed(year: number, month: number, day: number, name: string): MinnesotaHoliday {
  const actual = isoDate(year, month, day);
  const weekday = dayOfWeek(actual);
  if (weekday === 6) {
    return { date: addDays(actual, -1), name: `${name} (observed)` };
  }
  if (weekday === 0) {
    return { date: addDays(actual, 1), name: `${name} (observed)` };
  }
  return { date: actual, name };
}

function computeHolidays(year: number): readonly MinnesotaHoliday[] {
  const thanksgiving = nthWeekday(year, 11, 4, 4);
  const holidays: MinnesotaHoliday[] = [
    observedFixed(year, 1, 1, "New Year's Day"),
    { date: nthWeekday(year, 1, 1, 3), name: "Martin Luther King's Birthday" },
    { date: nthWeekday(year, 2, 1, 3), name: "Washington's and Lincoln's Birthday" },
    { date: lastWeekday(year, 5, 1), name: 'Memorial Day' },
  ];
  if (year >= JUNETEENTH_FIRST_YEAR) {
    holidays.push(observedFixed(year, 6, 19, 'Juneteenth'));
  }
  holidays.push(
    observedFixed(year, 7, 4, 'Independence Day'),
    { date: nthWeekday(year, 9, 1, 1), name: 'Labor Day' },
    { date: nthWeekday(year, 10, 1, 2), name: 'Christopher Columbus Day' },
    observedFixed(year, 11, 11, 'Veterans Day'),
    { date: thanksgiving, name: 'Thanksgiving Day' },
    { date: addDays(thanksgiving, 1), name: 'Day after Thanksgiving' },
    observedFixed(year, 12, 25, 'Christmas Day'),
  );
  return Object.freeze(holidays.map((holiday) => Object.freeze(holiday)));
}

interface YearHolidays {
  readonly list: readonly MinnesotaHoliday[];
  readonly dates: ReadonlySet<IsoDate>;
}

// Deadline checks run for every referral; each year is computed once.
const holidayCache = new Map<number, YearHolidays>();

function holidaysOf(year: number): YearHolidays {
  let entry = holidayCache.get(year);
  if (!entry) {
    const list = computeHolidays(year);
    entry = { list, dates: new Set(list.map((holiday) => holiday.date)) };
    holidayCache.set(year, entry);
  }
  return entry;
}

/**
 * The observed holidays of a holiday year. New Year's Day observed can fall on the previous 31 December
 * (1 January 2022 was a Saturday, so Friday 2021-12-31 was the holiday); it stays in its own year's list.
 */
export function minnesotaStateHolidays(year: number): ReadonlyArray<MinnesotaHoliday> {
  if (!Number.isInteger(year)) {
    throw new RangeError(`year must be an integer, got ${year}`);
  }
  return holidaysOf(year).list;
}

function yearOf(date: IsoDate): number {
  return Number(date.slice(0, 4));
}

function isHoliday(date: IsoDate): boolean {
  const year = yearOf(date);
  // The next year's list holds an observed New Year's Day that falls on this year's 31 December.
  return holidaysOf(year).dates.has(date) || holidaysOf(year + 1).dates.has(date);
}

function isWeekend(date: IsoDate): boolean {
  const weekday = dayOfWeek(date);
  return weekday === 0 || weekday === 6;
}

export function isMinnesotaBusinessDay(date: IsoDate): boolean {
  return !isWeekend(date) && !isHoliday(date);
}

function assertCount(n: number): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`n must be a whole number ≥ 0, got ${n}`);
  }
}

/** The n-th business day after date (date itself not counted); n = 0 returns date unchanged. */
export function addMinnesotaBusinessDays(date: IsoDate, n: number): IsoDate {
  assertCount(n);
  let current = addDays(date, 0); // validates date even when n = 0
  for (let remaining = n; remaining > 0;) {
    current = addDays(current, 1);
    if (isMinnesotaBusinessDay(current)) {
      remaining -= 1;
    }
  }
  return current;
}

/** The n-th business day before date (date itself not counted); n = 0 returns date unchanged. */
export function subtractMinnesotaBusinessDays(date: IsoDate, n: number): IsoDate {
  assertCount(n);
  let current = addDays(date, 0);
  for (let remaining = n; remaining > 0;) {
    current = addDays(current, -1);
    if (isMinnesotaBusinessDay(current)) {
      remaining -= 1;
    }
  }
  return current;
}

/** Weekdays (Mon–Fri) in the half-open range (from, to], counted arithmetically. */
function weekdaysAfter(from: IsoDate, to: IsoDate): number {
  const span = daysBetween(from, to);
  const fullWeeks = Math.floor(span / 7);
  let count = fullWeeks * 5;
  let weekday = dayOfWeek(from);
  for (let i = 0; i < span % 7; i += 1) {
    weekday = (weekday + 1) % 7;
    if (weekday !== 0 && weekday !== 6) {
      count += 1;
    }
  }
  return count;
}

/** How many business days lie in (from, to]; 0 when to ≤ from. "Contacted within 2 business days" ⇔ result ≤ 2. */
export function minnesotaBusinessDaysAfter(from: IsoDate, to: IsoDate): number {
  if (compareIsoDates(to, from) <= 0) {
    return 0;
  }
  let count = weekdaysAfter(from, to);
  // Observed holidays always fall on weekdays, so each one in range removes exactly one weekday.
  const seen = new Set<IsoDate>();
  for (let year = yearOf(from); year <= yearOf(to) + 1; year += 1) {
    for (const date of holidaysOf(year).dates) {
      if (!seen.has(date) && compareIsoDates(date, from) > 0 && compareIsoDates(date, to) <= 0) {
        seen.add(date);
        count -= 1;
      }
    }
  }
  return count;
}
