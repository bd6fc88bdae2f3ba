import { compareIsoDates, type IsoDate } from './minnesota-time';

/*
 * The Preferred Assister Report: every two weeks MNsure sends each organization a spreadsheet of the referrals it
 * received in a reporting window; the organization records what happened to each one (the outcome) and sends it
 * back. This module is the sheet's layout and the program's rules for a returned row.
 */

/** The program's resolutions (OE5 slides), in the order the drop-down shows them. */
export const RESOLUTIONS = [
  'Eligible for MA',
  'Eligible for MinnesotaCare',
  'Enrolled in QHP',
  'Eligible for QHP no enrollment',
  'No longer needs assistance',
  'Referred to another certified assister',
  'Unable to contact',
  'Assisted with technical issue only',
  'Contact made appointment scheduled',
] as const;

export type Resolution = (typeof RESOLUTIONS)[number];

/** The only resolutions that make sense when the assister never reached the consumer. */
export const RESOLUTIONS_WITHOUT_CONTACT: readonly Resolution[] = ['Unable to contact', 'No longer needs assistance'];

export const COMMENTS_MAX_LENGTH = 500;

export const INSTRUCTIONS_SHEET_NAME = 'Instructions';
export const REPORT_SHEET_NAME = 'Referrals';
/** Holds the resolutions the drop-down lists; inline lists are capped at 255 characters. */
export const LISTS_SHEET_NAME = 'Lists';
/** Very hidden: which report this file is, and its signature. */
export const IDENTITY_SHEET_NAME = 'PAL';

/** Workbook names carrying the identifier as well, so it survives someone deleting the hidden sheet. */
export const IDENTITY_DEFINED_NAMES = {
  reportId: 'PAL_REPORT_ID',
  organizationId: 'PAL_ORGANIZATION_ID',
  windowId: 'PAL_WINDOW_ID',
  signature: 'PAL_SIGNATURE',
} as const;

export type ReportColumnKey =
  | 'referralId'
  | 'referredOn'
  | 'consumerName'
  | 'phone'
  | 'countyName'
  | 'assisterType'
  | 'reason'
  | 'contactMade'
  | 'contactDate'
  | 'resolution'
  | 'comments';

export interface ReportColumn {
  readonly key: ReportColumnKey;
  /** What ingest matches on, case- and space-insensitively; the organization may re-order columns. */
  readonly header: string;
  readonly width: number;
  readonly filledBy: 'mnsure' | 'organization';
}

/** The "Referrals" sheet, left to right: MNsure's locked columns, then the organization's. */
export const REPORT_COLUMNS = [
  { key: 'referralId', header: 'Referral ID', width: 32, filledBy: 'mnsure' },
  { key: 'referredOn', header: 'Referred On', width: 13, filledBy: 'mnsure' },
  { key: 'consumerName', header: 'Consumer Name', width: 28, filledBy: 'mnsure' },
  { key: 'phone', header: 'Phone', width: 16, filledBy: 'mnsure' },
  { key: 'countyName', header: 'County', width: 16, filledBy: 'mnsure' },
  { key: 'assisterType', header: 'Assister Type', width: 14, filledBy: 'mnsure' },
  { key: 'reason', header: 'Reason for Referral', width: 40, filledBy: 'mnsure' },
  { key: 'contactMade', header: 'Contact Made (Y/N)', width: 12, filledBy: 'organization' },
  { key: 'contactDate', header: 'Contact Date', width: 14, filledBy: 'organization' },
  { key: 'resolution', header: 'Resolution', width: 38, filledBy: 'organization' },
  { key: 'comments', header: 'Comments', width: 60, filledBy: 'organization' },
] as const satisfies readonly ReportColumn[];

export function reportHeader(key: ReportColumnKey): string {
  // Every key is in REPORT_COLUMNS; the fallback only keeps the type honest.
  return REPORT_COLUMNS.find((column) => column.key === key)?.header ?? key;
}

function normalizeLabel(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * The column a header names: case and spacing do not matter, nor a dropped "(Y/N)", so a re-typed header
 * still counts. Undefined for a column that is not part of the report (organizations add their own).
 */
export function reportColumnOfHeader(header: string): ReportColumnKey | undefined {
  const label = normalizeLabel(header);
  const bare = withoutHint(label);
  const column = REPORT_COLUMNS.find(
    (c) => normalizeLabel(c.header) === label || withoutHint(normalizeLabel(c.header)) === bare,
  );
  return column?.key;
}

/**
 * The text without a trailing "(…)" hint and the spaces before it, as /\s*\([^)]*\)$/ would remove, in one pass:
 * a header comes from the returned sheet, and that regex backtracks (quadratic) on a cell of " (" repeated.
 */
function withoutHint(text: string): string {
  if (!text.endsWith(')')) return text;
  const open = text.indexOf('(', text.lastIndexOf(')', text.length - 2) + 1);
  if (open < 0 || open > text.length - 2) return text;
  let start = open;
  while (start > 0 && /\s/.test(text.charAt(start - 1))) start--;
  return text.slice(0, start);
}

/** One referral as MNsure writes it. */
export interface ReportRow {
  referralId: string;
  referredOn: IsoDate;
  consumerName: string;
  phone: string;
  countyName: string;
  assisterType: 'navigator' | 'broker';
  reason: string;
}

/** Which report a file is; the signature over it keeps one organization's sheet from passing as another's. */
export interface ReportIdentity {
  reportId: string;
  organizationId: string;
  windowId: string;
  version: 1;
}

/** A cell as the reader hands it over; rich text and hyperlinks are already reduced to their plain text. */
export type CellValue =
  | { kind: 'empty' }
  | { kind: 'text'; text: string }
  | { kind: 'number'; value: number }
  | { kind: 'date'; date: IsoDate }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'formula' }
  | { kind: 'error' };

/** One row of a returned sheet: the referral it names and the organization's four cells. */
export interface ReturnedRow {
  /** The spreadsheet row number the organization sees (the header is row 1). */
  rowNumber: number;
  referralId: string;
  contactMade: CellValue;
  contactDate: CellValue;
  resolution: CellValue;
  comments: CellValue;
}

/** What happened to a referral, as the organization reported it. */
export interface Outcome {
  contactMade: boolean;
  contactDate?: IsoDate;
  resolution: Resolution;
  comments?: string;
}

export interface RowProblem {
  rowNumber: number;
  referralId: string;
  /** The header of the cell to fix. */
  column: string;
  /** Stable id, for counting and tests. */
  rule: string;
  /** A sentence a person at the organization can act on. */
  message: string;
}

export type RowValidation = { ok: true; outcome: Outcome } | { ok: false; problems: RowProblem[] };

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

/** 2017-11-24 → 11/24/2017, the way the sheet shows dates to its (US) readers. */
export function formatReportDate(date: IsoDate): string {
  return `${date.slice(5, 7)}/${date.slice(8, 10)}/${date.slice(0, 4)}`;
}

const QUOTED_VALUE_MAX = 40;

/** A value echoed in a message, short enough to read. Never used for comments, which may hold anything. */
function quoted(text: string): string {
  const oneLine = text.trim().replace(/\s+/g, ' ');
  return `'${oneLine.length > QUOTED_VALUE_MAX ? `${oneLine.slice(0, QUOTED_VALUE_MAX)}…` : oneLine}'`;
}

/** How a number, date or true/false cell reads; undefined for text and the other kinds. */
function plainValue(cell: CellValue): string | undefined {
  switch (cell.kind) {
    case 'number':
      return String(cell.value);
    case 'date':
      return formatReportDate(cell.date);
    case 'boolean':
      return cell.value ? 'TRUE' : 'FALSE';
    default:
      return undefined;
  }
}

function describeCell(cell: CellValue): string {
  return cell.kind === 'text' ? quoted(cell.text) : (plainValue(cell) ?? cell.kind);
}

function isEmpty(cell: CellValue): boolean {
  return cell.kind === 'empty' || (cell.kind === 'text' && cell.text.trim() === '');
}

/** A row not filled in yet: all four of the organization's cells are empty. Whether that is "missing" is the caller's call. */
export function isBlankRow(row: ReturnedRow): boolean {
  return isEmpty(row.contactMade) && isEmpty(row.contactDate) && isEmpty(row.resolution) && isEmpty(row.comments);
}

/**
 * Characters that make a spreadsheet treat a CSV field as a formula (OWASP CSV injection, ASVS V1.2.10): first, or
 * after leading spaces (which spreadsheet programs skip), in ASCII or full-width form (which some read as ASCII).
 */
const FORMULA_SIGNS = new Set(['=', '+', '-', '@', '\uff1d', '\uff0b', '\uff0d', '\uff20']);
/** Control characters that start a formula-like field themselves, as ASVS lists them. */
const FORMULA_CONTROLS = new Set(['\t', '\r', '\0']);

/**
 * For CSV output only: a value a spreadsheet would run as a formula gets a leading single quote, which shows it
 * as text. Strings in our .xlsx files are inert already (the writer stores them as string cells).
 */
export function neutralizeFormulaText(text: string): string {
  // One pass over the leading whitespace only: the first other character decides.
  for (const ch of text) {
    if (FORMULA_CONTROLS.has(ch) || FORMULA_SIGNS.has(ch)) return `'${text}`;
    if (!/\s/.test(ch)) return text;
  }
  return text;
}

const YES = new Set(['y', 'yes']);
const NO = new Set(['n', 'no']);

const RESOLUTION_BY_LABEL: ReadonlyMap<string, Resolution> = new Map(
  RESOLUTIONS.map((resolution) => [normalizeLabel(resolution), resolution]),
);

/** Checks a returned row against the program's rules and reports every problem of the row at once. */
export function validateReturnedRow(row: ReturnedRow, context: { referredOn: IsoDate; today: IsoDate }): RowValidation {
  const problems: RowProblem[] = [];
  const refuse = (key: ReportColumnKey, rule: string, message: string): void => {
    problems.push({ rowNumber: row.rowNumber, referralId: row.referralId, column: reportHeader(key), rule, message });
  };
  const CONTACT_MADE = reportHeader('contactMade');

  // A formula or an error hides the value the person meant; the other rules cannot judge such a cell.
  const readable = (key: 'contactMade' | 'contactDate' | 'resolution' | 'comments'): boolean => {
    const cell = row[key];
    if (cell.kind === 'formula') {
      refuse(key, 'formula', 'The cell holds a formula; formulas are not accepted, type the value.');
      return false;
    }
    if (cell.kind === 'error') {
      refuse(key, 'cell-error', 'The cell shows an error (like #N/A or #VALUE!); type the value.');
      return false;
    }
    return true;
  };

  let contactMade: boolean | undefined;
  if (readable('contactMade')) {
    const cell = row.contactMade;
    if (isEmpty(cell)) {
      refuse(
        'contactMade',
        'contact-made-required',
        'Required: type Y if you reached the consumer, N if you could not.',
      );
    } else if (cell.kind === 'boolean') {
      contactMade = cell.value;
    } else if (cell.kind === 'text' && YES.has(normalizeLabel(cell.text))) {
      contactMade = true;
    } else if (cell.kind === 'text' && NO.has(normalizeLabel(cell.text))) {
      contactMade = false;
    } else {
      refuse(
        'contactMade',
        'contact-made-y-n',
        `${describeCell(cell)} is not Y or N; type Y if you reached the consumer, N if you could not.`,
      );
    }
  }

  let contactDate: IsoDate | undefined;
  if (readable('contactDate')) {
    const cell = row.contactDate;
    if (isEmpty(cell)) {
      if (contactMade === true) {
        refuse(
          'contactDate',
          'contact-date-required',
          `Required when ${CONTACT_MADE} is Y: type the day you reached the consumer, like 11/24/2017.`,
        );
      }
    } else if (contactMade === false) {
      refuse(
        'contactDate',
        'contact-date-without-contact',
        `A date is filled in but ${CONTACT_MADE} is N: clear the date, or change ${CONTACT_MADE} to Y.`,
      );
    } else {
      contactDate = readContactDate(cell, (rule, message) => refuse('contactDate', rule, message));
      if (contactDate !== undefined && compareIsoDates(contactDate, context.referredOn) < 0) {
        refuse(
          'contactDate',
          'contact-date-before-referral',
          `${formatReportDate(contactDate)} is before the referral date, ${formatReportDate(context.referredOn)}; check the date.`,
        );
        contactDate = undefined;
      } else if (contactDate !== undefined && compareIsoDates(contactDate, context.today) > 0) {
        refuse(
          'contactDate',
          'contact-date-in-future',
          `${formatReportDate(contactDate)} is in the future; type the day you reached the consumer.`,
        );
        contactDate = undefined;
      }
    }
  }

  let resolution: Resolution | undefined;
  if (readable('resolution')) {
    const cell = row.resolution;
    if (isEmpty(cell)) {
      refuse('resolution', 'resolution-required', 'Required: pick one resolution from the drop-down list.');
    } else {
      resolution = cell.kind === 'text' ? RESOLUTION_BY_LABEL.get(normalizeLabel(cell.text)) : undefined;
      if (resolution === undefined) {
        refuse(
          'resolution',
          'resolution-unknown',
          `${describeCell(cell)} is not one of the program's resolutions; pick one from the drop-down list.`,
        );
      } else if (contactMade === false && !RESOLUTIONS_WITHOUT_CONTACT.includes(resolution)) {
        refuse(
          'resolution',
          'resolution-needs-contact',
          `'${resolution}' means the consumer was reached, but ${CONTACT_MADE} is N: choose ${RESOLUTIONS_WITHOUT_CONTACT.map((r) => `'${r}'`).join(' or ')}, or change ${CONTACT_MADE} to Y.`,
        );
      }
    }
  }

  let comments: string | undefined;
  if (readable('comments') && !isEmpty(row.comments)) {
    comments = commentText(row.comments);
    const length = [...comments].length;
    if (length > COMMENTS_MAX_LENGTH) {
      refuse(
        'comments',
        'comments-too-long',
        `The comment has ${length} characters, more than the ${COMMENTS_MAX_LENGTH} allowed; shorten it.`,
      );
    }
  }

  if (problems.length > 0 || contactMade === undefined || resolution === undefined) {
    return { ok: false, problems };
  }
  const outcome: Outcome = { contactMade, resolution };
  if (contactDate !== undefined) outcome.contactDate = contactDate;
  if (comments !== undefined) outcome.comments = comments;
  return { ok: true, outcome };
}

function readContactDate(cell: CellValue, refuse: (rule: string, message: string) => void): IsoDate | undefined {
  switch (cell.kind) {
    case 'date':
      // A reader hands over YYYY-MM-DD; anything else is refused here rather than trusted downstream.
      if (!/^\d{4}-\d{2}-\d{2}$/.test(cell.date)) {
        refuse('contact-date-invalid', 'This is not a date; type it as MM/DD/YYYY, like 11/24/2017.');
        return undefined;
      }
      return cell.date;
    case 'number': {
      const date = excelSerialToIsoDate(cell.value);
      if (date === undefined) {
        refuse('contact-date-invalid', `${cell.value} is not a date; type it as MM/DD/YYYY, like 11/24/2017.`);
      }
      return date;
    }
    case 'text': {
      const date = parseReportDate(cell.text);
      if (date === undefined) {
        refuse('contact-date-invalid', `${quoted(cell.text)} is not a date${dayFirstHint(cell.text)}`);
      }
      return date;
    }
    default:
      refuse('contact-date-invalid', `${describeCell(cell)} is not a date; type it as MM/DD/YYYY, like 11/24/2017.`);
      return undefined;
  }
}

/** "24/11/2017" is a day-first date; saying so is more use than "not a date" alone. */
function dayFirstHint(text: string): string {
  const match = US_DATE.exec(text.trim());
  const swapped = match && parseReportDate(`${match[2]}/${match[1]}/${match[3]}`);
  if (swapped) {
    return `: dates are month/day/year, so did you mean ${formatReportDate(swapped)}?`;
  }
  return '; type it as MM/DD/YYYY, like 11/24/2017.';
}

function commentText(cell: CellValue): string {
  return cell.kind === 'text' ? cell.text.trim() : (plainValue(cell) ?? '');
}
