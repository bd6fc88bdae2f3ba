import type { IsoDate } from './minnesota-time';

/*
 * Dates as the program's people write them (US month/day order) and as Excel stores them (serial numbers): read by
 * the returned sheet, the outcome rules, and any other place a person types a date.
 */

const MS_PER_DAY = 86_400_000;
/** Serial of 1970-01-01 in Excel's 1900 date system. */
const SERIAL_OF_UNIX_EPOCH = 25_569;
/** Excel's phantom 1900-02-29, kept for Lotus 1-2-3 compatibility; serials below it are one day off. */
const PHANTOM_LEAP_DAY_SERIAL = 60;
/** 9999-12-31, the last date Excel can hold. */
const MAX_SERIAL = 2_958_465;

function isoFromParts(year: number, month: number, day: number): IsoDate | undefined {
  if (year < 1900 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31) {
    return undefined;
  }
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 2017-02-30 over to March; a real date survives the round trip unchanged.
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return undefined;
  }
  return date.toISOString().slice(0, 10);
}

/** An Excel serial date (1900 date system, the time of day ignored) as a calendar date. */
export function excelSerialToIsoDate(serial: number): IsoDate | undefined {
  if (!Number.isFinite(serial)) {
    return undefined;
  }
  const day = Math.floor(serial);
  if (day < 1 || day > MAX_SERIAL || day === PHANTOM_LEAP_DAY_SERIAL) {
    return undefined;
  }
  const epochDay = day - SERIAL_OF_UNIX_EPOCH + (day < PHANTOM_LEAP_DAY_SERIAL ? 1 : 0);
  return new Date(epochDay * MS_PER_DAY).toISOString().slice(0, 10);
}

const MONTH_NUMBERS: Readonly<Record<string, number>> = {
  jan: 1,
  january: 1,
  feb: 2,
  february: 2,
  mar: 3,
  march: 3,
  apr: 4,
  april: 4,
  may: 5,
  jun: 6,
  june: 6,
  jul: 7,
  july: 7,
  aug: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  oct: 10,
  october: 10,
  nov: 11,
  november: 11,
  dec: 12,
  december: 12,
};

const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4}|\d{2})$/;
const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const DAY_MONTH_NAME_YEAR = /^(\d{1,2})[- ]([a-z]{3,9})\.?[- ](\d{4}|\d{2})$/i;

/** Two-digit years are this century's: a contact date is never in the 1900s. */
function fullYear(digits: string): number {
  return digits.length === 2 ? 2000 + Number(digits) : Number(digits);
}

/**
 * A date as a person types it: 11/24/2017, 11/24/17 (US month/day order), 2017-11-24 or 24-Nov-2017.
 * Undefined for anything else, including dates that do not exist (02/30/2017) and day/month order (24/11/2017).
 */
export function parseReportDate(text: string): IsoDate | undefined {
  const trimmed = text.trim();
  let match = US_DATE.exec(trimmed);
  if (match) {
    return isoFromParts(fullYear(match[3] ?? ''), Number(match[1]), Number(match[2]));
  }
  match = ISO_DATE.exec(trimmed);
  if (match) {
    return isoFromParts(Number(match[1]), Number(match[2]), Number(match[3]));
  }
  match = DAY_MONTH_NAME_YEAR.exec(trimmed);
  if (match) {
    const month = MONTH_NUMBERS[(match[2] ?? '').toLowerCase()];
    return month === undefined ? undefined : isoFromParts(fullYear(match[3] ?? ''), month, Number(match[1]));
  }
  return undefined;
}

/** "24/11/2017" read day first, for a hint when month/day order fails: the date it would be, or undefined. */
export function dayFirstReading(text: string): IsoDate | undefined {
  const match = US_DATE.exec(text.trim());
  return match ? parseReportDate(`${match[2]}/${match[1]}/${match[3]}`) : undefined;
}

/** 2017-11-24 → 11/24/2017, the way the sheet shows dates to its (US) readers. */
export function formatReportDate(date: IsoDate): string {
  return `${date.slice(5, 7)}/${date.slice(8, 10)}/${date.slice(0, 4)}`;
}
