import { normalizeLabel } from './label';
import type { IsoDate } from './minnesota-time';
import {
  checkOutcome,
  OUTCOME_FIELD_LABELS,
  OUTCOME_FIELDS,
  quotedValue,
  UNREADABLE,
  type Answer,
  type Outcome,
  type OutcomeAnswers,
  type OutcomeField,
} from './outcome';
import { excelSerialToIsoDate, formatReportDate } from './report-dates';

/*
 * The Preferred Assister Report: every two weeks MNsure sends each organization a spreadsheet of the referrals it
 * received in a reporting window; the organization records what happened to each one (the outcome) and sends it
 * back. This module is the sheet's layout and how a returned row's cells are read; the rules for the outcome they hold
 * are in outcome.ts.
 */

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
  { key: 'contactMade', header: OUTCOME_FIELD_LABELS.contactMade, width: 12, filledBy: 'organization' },
  { key: 'contactDate', header: OUTCOME_FIELD_LABELS.contactDate, width: 14, filledBy: 'organization' },
  { key: 'resolution', header: OUTCOME_FIELD_LABELS.resolution, width: 38, filledBy: 'organization' },
  { key: 'comments', header: OUTCOME_FIELD_LABELS.comments, width: 60, filledBy: 'organization' },
] as const satisfies readonly ReportColumn[];

export function reportHeader(key: ReportColumnKey): string {
  // Every key is in REPORT_COLUMNS; the fallback only keeps the type honest.
  return REPORT_COLUMNS.find((column) => column.key === key)?.header ?? key;
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
  return cell.kind === 'text' ? quotedValue(cell.text) : (plainValue(cell) ?? cell.kind);
}

function isEmpty(cell: CellValue): boolean {
  return cell.kind === 'empty' || (cell.kind === 'text' && cell.text.trim() === '');
}

/** A row not filled in yet: all four of the organization's cells are empty. Whether that is "missing" is the caller's call. */
export function isBlankRow(row: ReturnedRow): boolean {
  return isEmpty(row.contactMade) && isEmpty(row.contactDate) && isEmpty(row.resolution) && isEmpty(row.comments);
}

const YES = new Set(['y', 'yes']);
const NO = new Set(['n', 'no']);

/** The cell's value as typed text; undefined when empty; UNREADABLE (and refused) for a formula or an error. */
function textAnswer(cell: CellValue, refuse: (rule: string, message: string) => void): Answer<string> {
  if (cell.kind === 'formula') {
    refuse('formula', 'The cell holds a formula; formulas are not accepted, type the value.');
    return UNREADABLE;
  }
  if (cell.kind === 'error') {
    refuse('cell-error', 'The cell shows an error (like #N/A or #VALUE!); type the value.');
    return UNREADABLE;
  }
  if (isEmpty(cell)) return undefined;
  return cell.kind === 'text' ? cell.text : (plainValue(cell) ?? '');
}

function contactMadeAnswer(cell: CellValue, refuse: (rule: string, message: string) => void): Answer<boolean> {
  if (cell.kind === 'boolean') return cell.value;
  const text = textAnswer(cell, refuse);
  if (text === undefined || text === UNREADABLE) return text;
  if (cell.kind === 'text' && YES.has(normalizeLabel(text))) return true;
  if (cell.kind === 'text' && NO.has(normalizeLabel(text))) return false;
  refuse(
    'contact-made-y-n',
    `${describeCell(cell)} is not Y or N; type Y if you reached the consumer, N if you could not.`,
  );
  return UNREADABLE;
}

function contactDateAnswer(cell: CellValue, refuse: (rule: string, message: string) => void): Answer<string> {
  // A number in the date column is the serial Excel stores a date as.
  if (cell.kind === 'number') return excelSerialToIsoDate(cell.value) ?? String(cell.value);
  return textAnswer(cell, refuse);
}

/**
 * Reads a returned row's four cells as answers (a formula or an error cell is refused here: it hides the value the
 * person meant) and checks them against the outcome rules; reports every problem of the row at once.
 */
export function validateReturnedRow(row: ReturnedRow, context: { referredOn: IsoDate; today: IsoDate }): RowValidation {
  const problems = new Map<OutcomeField, RowProblem>();
  const refuser =
    (field: OutcomeField) =>
    (rule: string, message: string): void => {
      problems.set(field, {
        rowNumber: row.rowNumber,
        referralId: row.referralId,
        column: reportHeader(field),
        rule,
        message,
      });
    };
  const answers: OutcomeAnswers = {
    contactMade: contactMadeAnswer(row.contactMade, refuser('contactMade')),
    contactDate: contactDateAnswer(row.contactDate, refuser('contactDate')),
    resolution: textAnswer(row.resolution, refuser('resolution')),
    comments: textAnswer(row.comments, refuser('comments')),
  };
  const checked = checkOutcome(answers, context);
  if (checked.ok && problems.size === 0) return { ok: true, outcome: checked.outcome };
  // A field the sheet refused is UNREADABLE to the rules, so each field has at most one problem.
  for (const issue of checked.ok ? [] : checked.issues) refuser(issue.field)(issue.rule, issue.message);
  return { ok: false, problems: OUTCOME_FIELDS.flatMap((field) => problems.get(field) ?? []) };
}
