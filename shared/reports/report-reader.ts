import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import ExcelJS from 'exceljs';
import {
  REPORT_SHEET_NAME,
  reportColumnOfHeader,
  reportHeader,
  type CellValue,
  type ReportColumnKey,
  type ReturnedRow,
} from '../domain/report-sheet';
import {
  readReportIdentity,
  readWorkbookStructure,
  sheetEntry,
  type FoundIdentity,
  type WorkbookStructure,
} from './report-identity';
import {
  DEFAULT_SHEET_CAPS,
  isDateFormat,
  SharedStringCaps,
  SheetCells,
  type SheetCaps,
  type SheetRow,
} from './sheet-cells';
import { inspectXlsx } from './xlsx-safety';
import { inflateZipEntry, readZipDirectory, ZipEntrySizeError, type ZipEntry } from './zip-directory';
import { XmlLimitError, XmlScanner } from './xml-scanner';

/*
 * Reads a returned report with exceljs's streaming reader, so a 50,000-row sheet is never a workbook in memory:
 * rows are mapped to ReturnedRows as they stream past. Formulas are never evaluated: a formula cell is reported as
 * a formula, whatever its cached result.
 *
 * exceljs parses the XML (workbook, styles, shared strings, sheets); the zip is read here, from its central
 * directory, because exceljs 4.4.0's own unzip loop is not dependable:
 * - unzipper's Parse emits 'end' as soon as it has read the last byte, even while entries it parsed are still
 *   waiting, so exceljs silently skips the rest of the file (seen on small stored entries: xl/workbook.xml missing
 *   in one read of three of the same file);
 * - in zip order, sheets often come before the shared strings they need, which exceljs parks in temporary files;
 *   with random access to the buffer, the parts a sheet depends on are simply read first;
 * - it decodes each inflated chunk on its own, so a character split across two chunks turns into "�";
 *   here every part is decoded as one stream;
 * - it names sheets through relationships it only resolves when relative, and has no defined names: sheet names,
 *   states, defined names and the 1904 date system come from workbook.xml, read here;
 * - it reads a t="d" cell (ISO date text) as a number, and keeps only the last run of rich inline text; and a second
 *   parser over the sheet doubled the read's time: the sheet itself is read by SheetCells alone, in the same forward
 *   pass that enforces the caps, with exceljs's shared strings and styles.
 * Each entry is inflated through inflateZipEntry, which stops at the size the entry declares, and every part exceljs
 * parses passes a linear scanner first (XmlScanner), which refuses what breaks a cap before exceljs sees it.
 */

export interface SheetProblem {
  rule: string;
  message: string;
}

export interface ReturnedWorkbook {
  identity?: FoundIdentity;
  rows: ReturnedRow[];
  /** Problems with the file as a whole (missing sheet or columns): when there are any, rows is empty. */
  problems: SheetProblem[];
}

const ORGANIZATION_COLUMNS: readonly ('contactMade' | 'contactDate' | 'resolution' | 'comments')[] = [
  'contactMade',
  'contactDate',
  'resolution',
  'comments',
];
/** Without these a returned row means nothing; Comments is optional, so a sheet without it still reads. */
const REQUIRED_COLUMNS: readonly ReportColumnKey[] = ['referralId', 'contactMade', 'contactDate', 'resolution'];
/** The header is row 1; a few rows of slack in case someone inserted a title above it. */
const HEADER_SEARCH_ROWS = 10;
/** Days between the 1904 and 1900 date systems' day zero: serials from a 1904 workbook are this much smaller. */
const DATE_1904_OFFSET_DAYS = 1462;

const EMPTY: CellValue = { kind: 'empty' };
const FORMULA: CellValue = { kind: 'formula' };
const ERROR: CellValue = { kind: 'error' };

const ZIP_BOMB: SheetProblem = {
  rule: 'zip-bomb',
  message:
    'it unpacks to more data than it declares (a "zip bomb"), so it was not read; send the report as saved by Excel',
};
const UNREADABLE: SheetProblem = {
  rule: 'unreadable',
  message:
    'it could not be read as a spreadsheet; open it in Excel, save it as "Excel Workbook (.xlsx)" and send it again',
};

export interface ReadOptions {
  /** Rows the Referrals sheet may have, header included: see rowCapFor. */
  readonly maxRows?: number;
}

/** Reads the returned sheet: its identifier and one ReturnedRow per row that names a referral or has anything filled in. */
export async function readReturnedWorkbook(data: Buffer, options: ReadOptions = {}): Promise<ReturnedWorkbook> {
  // The caller inspected the file already; checking again costs a millisecond and keeps this function safe alone.
  const inspection = inspectXlsx(data);
  if (!inspection.ok) return refused({ rule: inspection.rule, message: inspection.message });
  const caps: SheetCaps = { ...DEFAULT_SHEET_CAPS, ...(options.maxRows !== undefined && { maxRows: options.maxRows }) };
  return guarded(async () => {
    const entries = new Map(readZipDirectory(data).map((entry) => [entry.name, entry]));
    const book = readWorkbookStructure(data, entries);
    const identity = await readReportIdentity(data, entries, book);
    const result = await readSheets(data, entries, book, caps);
    return identity ? { identity, ...result } : result;
  });
}

/**
 * Only the report's signed identity, from the workbook's defined names or its PAL sheet: the cheap, bounded read that
 * comes before any row is parsed. Undefined when the file carries none (or cannot be read).
 */
export async function readReturnedIdentity(data: Buffer): Promise<FoundIdentity | undefined> {
  if (!inspectXlsx(data).ok) return undefined;
  const result = await guarded(async () => {
    const entries = new Map(readZipDirectory(data).map((entry) => [entry.name, entry]));
    const identity = await readReportIdentity(data, entries, readWorkbookStructure(data, entries));
    return { rows: [], problems: [], ...(identity && { identity }) };
  });
  return result.identity;
}

async function guarded(read: () => Promise<ReturnedWorkbook>): Promise<ReturnedWorkbook> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof ZipEntrySizeError) return refused(ZIP_BOMB);
    if (error instanceof XmlLimitError) return refused({ rule: error.rule, message: error.message });
    // Whatever else a parser throws means the same to the organization: the file cannot be read as sent.
    return refused(UNREADABLE);
  }
}

function refused(problem: SheetProblem): ReturnedWorkbook {
  return { rows: [], problems: [problem] };
}

// ---------------------------------------------------------------------------------------------------------------
// exceljs's parsers, fed from the central directory

/** The parsing steps of exceljs 4.4.0's streaming reader (lib/stream/xlsx/workbook-reader.js) driven here. */
interface WorkbookReaderParts {
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
  model?: { sheets?: unknown[] };
  sharedStrings?: unknown[];
  styles?: { getStyleModel(id: number): { numFmt?: string } | null | undefined };
}

/** An entry as exceljs's parsers take it: a stream of text, decoded across chunk boundaries and scanned first. */
function textStream(data: Buffer, entry: ZipEntry, scan: { feed(chunk: string): void }): Readable {
  return Readable.from(decodeAndScan(inflateZipEntry(data, entry), scan));
}

/** Any part: the scanner's own caps (depth, tag and text length, no DOCTYPE) and nothing else. */
function plainScan(): { feed(chunk: string): void } {
  const scanner = new XmlScanner({});
  return { feed: (chunk) => scanner.write(chunk) };
}

async function readSheets(
  data: Buffer,
  entries: ReadonlyMap<string, ZipEntry>,
  book: WorkbookStructure,
  caps: SheetCaps,
): Promise<ReturnedWorkbook> {
  const entry = sheetEntry(book, entries, REPORT_SHEET_NAME);
  if (!entry) {
    return refused({
      rule: 'missing-sheet',
      message: `it has no "${REPORT_SHEET_NAME}" sheet; send back the report MNsure sent, without renaming or removing its sheets`,
    });
  }
  // The input stream goes unused: the parts are handed over one by one below.
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([]), {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
    entries: 'ignore',
  });
  const parts = reader as unknown as WorkbookReaderParts;
  const workbookEntry = entries.get('xl/workbook.xml');
  if (workbookEntry) await parts._parseWorkbook(textStream(data, workbookEntry, plainScan()));
  // exceljs names its sheets from this model; ours come from workbook.xml, so an unexpected shape must not stop it.
  if (!Array.isArray(parts.model?.sheets)) parts.model = { sheets: [] };
  const styles = entries.get('xl/styles.xml');
  if (styles) await parts._parseStyles(textStream(data, styles, plainScan()));
  const sharedStrings = entries.get('xl/sharedStrings.xml');
  if (sharedStrings) {
    for await (const _ of parts._parseSharedStrings(textStream(data, sharedStrings, new SharedStringCaps(caps)))) {
      // With sharedStrings: 'cache' nothing is yielded; the strings are kept on the reader.
    }
  }
  const dateStyles = new Map<number, boolean>();
  const cells = new SheetCells(caps, toCellValue, {
    sharedString: (index) => parts.sharedStrings?.[index],
    isDateStyle: (index) => {
      let isDate = dateStyles.get(index);
      if (isDate === undefined)
        dateStyles.set(index, (isDate = isDateFormat(parts.styles?.getStyleModel(index)?.numFmt)));
      return isDate;
    },
  });
  const chunks = decodeAndScan(inflateZipEntry(data, entry), cells);
  return readReferralRows(cells.rowsOf(chunks), cells, book.date1904);
}

async function readReferralRows(
  worksheet: AsyncIterable<SheetRow>,
  cells: SheetCells,
  date1904: boolean,
): Promise<{ rows: ReturnedRow[]; problems: SheetProblem[] }> {
  let columns: Map<ReportColumnKey, number> | undefined;
  const rows: ReturnedRow[] = [];
  for await (const row of worksheet) {
    if (!columns) {
      if (row.number > HEADER_SEARCH_ROWS) break;
      const found = headerColumns(row);
      if (found.has('referralId')) columns = found;
      continue;
    }
    const cell = (key: ReportColumnKey): CellValue => {
      const column = columns?.get(key);
      return column === undefined ? EMPTY : cells.read(row, column);
    };
    // A literal of fixed shape: 50,000 of these stay in memory, and V8 keeps such objects compact.
    const returned: ReturnedRow = {
      rowNumber: row.number,
      referralId: referralIdOf(cell('referralId')),
      contactMade: cell('contactMade'),
      contactDate: cell('contactDate'),
      resolution: cell('resolution'),
      comments: cell('comments'),
    };
    if (date1904 && returned.contactDate.kind === 'number') {
      returned.contactDate = { kind: 'number', value: returned.contactDate.value + DATE_1904_OFFSET_DAYS };
    }
    if (returned.referralId === '' && ORGANIZATION_COLUMNS.every((key) => returned[key].kind === 'empty')) continue;
    rows.push(returned);
  }

  const missing = REQUIRED_COLUMNS.filter((key) => !columns?.has(key));
  if (missing.length > 0) {
    const problems = missing.map((key) => ({
      rule: 'missing-column',
      message: `the "${REPORT_SHEET_NAME}" sheet has no "${reportHeader(key)}" column; put the header back in row 1 as MNsure sent it, and send the file again`,
    }));
    return { rows: [], problems };
  }
  return { rows, problems: [] };
}

/** Report columns by position in this sheet; the first column (leftmost) with a given header wins. */
function headerColumns(row: SheetRow): Map<ReportColumnKey, number> {
  const columns = new Map<ReportColumnKey, number>();
  for (const [column, value] of [...row.cells].sort(([a], [b]) => a - b)) {
    const key = value.kind === 'text' ? reportColumnOfHeader(value.text) : undefined;
    if (key && !columns.has(key)) columns.set(key, column);
  }
  return columns;
}

function referralIdOf(value: CellValue): string {
  switch (value.kind) {
    case 'text':
      return value.text.trim();
    case 'number':
      return String(value.value);
    default:
      return '';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Cell values

function text(value: string): CellValue {
  return value.trim() === '' ? EMPTY : { kind: 'text', text: value };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** exceljs's cell value as a CellValue. Dates are read with UTC getters: exceljs builds them at UTC midnight. */
function toCellValue(value: unknown): CellValue {
  if (value === null || value === undefined) return EMPTY;
  if (typeof value === 'string') return text(value);
  if (typeof value === 'number') return Number.isFinite(value) ? { kind: 'number', value } : ERROR;
  if (typeof value === 'boolean') return { kind: 'boolean', value };
  if (value instanceof Date) {
    // Excel's calendar runs 1900–9999; a serial outside it is no date a person typed (and would not be YYYY-MM-DD).
    const year = value.getUTCFullYear();
    return Number.isNaN(value.getTime()) || year < 1900 || year > 9999
      ? ERROR
      : { kind: 'date', date: value.toISOString().slice(0, 10) };
  }
  if (isObject(value)) {
    // A shared formula's other cells come as { formula: '' } or { sharedFormula }: present, even when empty.
    if ('formula' in value || 'sharedFormula' in value) return FORMULA;
    if ('error' in value) return ERROR;
    if (Array.isArray(value.richText)) {
      return text(
        value.richText.map((run: unknown) => (isObject(run) && typeof run.text === 'string' ? run.text : '')).join(''),
      );
    }
    // A hyperlink: its text, which may itself be rich text.
    if ('text' in value) return toCellValue(value.text);
  }
  return ERROR;
}

/** An entry's bytes as text, decoded across chunk boundaries; a sheet's text is shown to its SheetCells on the way. */
async function* decodeAndScan(
  chunks: AsyncIterable<Buffer>,
  scan: { feed(chunk: string): void },
): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of chunks) {
    const text = decoder.write(chunk);
    scan.feed(text);
    if (text) yield text;
  }
  const rest = decoder.end();
  scan.feed(rest);
  if (rest) yield rest;
}
