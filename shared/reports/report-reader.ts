import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import ExcelJS from 'exceljs';
import {
  IDENTITY_DEFINED_NAMES,
  IDENTITY_SHEET_NAME,
  parseReportDate,
  REPORT_SHEET_NAME,
  reportColumnOfHeader,
  reportHeader,
  type CellValue,
  type ReportColumnKey,
  type ReportIdentity,
  type ReturnedRow,
} from '../domain/report-sheet';
import {
  decodeXml,
  inflateZipEntry,
  inspectXlsx,
  readZipDirectory,
  readZipEntry,
  xmlElements,
  ZipEntrySizeError,
  type ZipEntry,
} from './xlsx-safety';

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
 * - it reads a t="d" cell (ISO date text) as a number, and keeps only the last run of rich inline text: those cells
 *   are picked out of the sheet's XML as it streams past, and corrected (SheetCells).
 * Each entry is inflated through inflateZipEntry, which stops at the size the entry declares.
 */

export interface SheetProblem {
  rule: string;
  message: string;
}

export interface ReturnedWorkbook {
  identity?: { identity: ReportIdentity; signature: string };
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
const WORKBOOK_PART_MAX_BYTES = 1024 * 1024;
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

/** Reads the returned sheet: its identifier and one ReturnedRow per row that names a referral or has anything filled in. */
export async function readReturnedWorkbook(data: Buffer): Promise<ReturnedWorkbook> {
  // The caller inspected the file already; checking again costs a millisecond and keeps this function safe alone.
  const inspection = inspectXlsx(data);
  if (!inspection.ok) return refused({ rule: inspection.rule, message: inspection.message });
  try {
    const entries = new Map(readZipDirectory(data).map((entry) => [entry.name, entry]));
    return await readSheets(data, entries, readWorkbookStructure(data, entries));
  } catch (error) {
    if (error instanceof ZipEntrySizeError) return refused(ZIP_BOMB);
    // Whatever else a parser throws means the same to the organization: the file cannot be read as sent.
    return refused(UNREADABLE);
  }
}

function refused(problem: SheetProblem): ReturnedWorkbook {
  return { rows: [], problems: [problem] };
}

// ---------------------------------------------------------------------------------------------------------------
// workbook.xml, read directly

interface WorkbookStructure {
  /** Sheet names by zip path, e.g. 'xl/worksheets/sheet2.xml' → 'Referrals'. */
  readonly sheets: ReadonlyMap<string, string>;
  /** Workbook-level defined names and their formula text. */
  readonly definedNames: ReadonlyMap<string, string>;
  readonly date1904: boolean;
}

function readWorkbookStructure(data: Buffer, entries: ReadonlyMap<string, ZipEntry>): WorkbookStructure {
  const part = (name: string): string => {
    const entry = entries.get(name);
    return entry ? readZipEntry(data, entry, WORKBOOK_PART_MAX_BYTES).toString('utf8') : '';
  };
  const workbookXml = part('xl/workbook.xml');
  const targets = new Map<string, string>();
  for (const relationship of xmlElements(part('xl/_rels/workbook.xml.rels'), 'Relationship')) {
    const id = relationship.attributes.get('Id');
    const target = relationship.attributes.get('Target');
    if (id && target) {
      // Targets are relative to xl/ unless absolute within the package ("/xl/worksheets/sheet1.xml").
      targets.set(id, target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`);
    }
  }
  const sheets = new Map<string, string>();
  for (const sheet of xmlElements(workbookXml, 'sheet')) {
    const path = targets.get(sheet.attributes.get('id') ?? '');
    if (path) sheets.set(path, sheet.attributes.get('name') ?? '');
  }
  const definedNames = new Map<string, string>();
  for (const name of xmlElements(workbookXml, 'definedName')) {
    const key = name.attributes.get('name');
    if (key && !name.attributes.has('localSheetId')) definedNames.set(key, name.text.trim());
  }
  const workbookPr = xmlElements(workbookXml, 'workbookPr')[0];
  const date1904 = ['1', 'true'].includes(workbookPr?.attributes.get('date1904')?.toLowerCase() ?? '');
  return { sheets, definedNames, date1904 };
}

// ---------------------------------------------------------------------------------------------------------------
// exceljs's parsers, fed from the central directory

/** The parsing steps of exceljs 4.4.0's streaming reader (lib/stream/xlsx/workbook-reader.js) driven here. */
interface WorkbookReaderParts {
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
  _parseWorksheet(iterator: AsyncIterable<string>, sheetNo: string): Generator<{ value: AsyncIterable<Row> }>;
  model?: { sheets?: unknown[] };
}

function sameName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** An entry as exceljs's parsers take it: a stream of text, decoded across chunk boundaries. */
function textStream(data: Buffer, entry: ZipEntry): Readable {
  return Readable.from(decodeAndScan(inflateZipEntry(data, entry)));
}

async function readSheets(
  data: Buffer,
  entries: ReadonlyMap<string, ZipEntry>,
  book: WorkbookStructure,
): Promise<ReturnedWorkbook> {
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
  if (workbookEntry) await parts._parseWorkbook(textStream(data, workbookEntry));
  // exceljs names its sheets from this model; ours come from workbook.xml, so an unexpected shape must not stop it.
  if (!Array.isArray(parts.model?.sheets)) parts.model = { sheets: [] };
  const styles = entries.get('xl/styles.xml');
  if (styles) await parts._parseStyles(textStream(data, styles));
  const sharedStrings = entries.get('xl/sharedStrings.xml');
  if (sharedStrings) {
    for await (const _ of parts._parseSharedStrings(textStream(data, sharedStrings))) {
      // With sharedStrings: 'cache' nothing is yielded; the strings are kept on the reader.
    }
  }

  const readSheet = async <T>(name: string, read: (rows: AsyncIterable<Row>, cells: SheetCells) => Promise<T>) => {
    const found = [...book.sheets].find(([path, sheetName]) => sameName(sheetName, name) && entries.has(path));
    const entry = found && entries.get(found[0]);
    if (!entry) return undefined;
    const cells = new SheetCells();
    const iterator = decodeAndScan(inflateZipEntry(data, entry), cells);
    const worksheet = parts._parseWorksheet(iterator, '0').next();
    return worksheet.done ? undefined : read(worksheet.value.value, cells);
  };
  const referrals = await readSheet(REPORT_SHEET_NAME, (rows, cells) => readReferralRows(rows, cells, book.date1904));
  const identityPairs = await readSheet(IDENTITY_SHEET_NAME, readKeyValueRows);

  const identity = (identityPairs && identityFromSheet(identityPairs)) ?? identityFromNames(book.definedNames);
  const result: ReturnedWorkbook = referrals ?? {
    rows: [],
    problems: [
      {
        rule: 'missing-sheet',
        message: `it has no "${REPORT_SHEET_NAME}" sheet; send back the report MNsure sent, without renaming or removing its sheets`,
      },
    ],
  };
  return identity ? { identity, ...result } : result;
}

type Row = ExcelJS.Row;

async function readReferralRows(
  worksheet: AsyncIterable<Row>,
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

/** Report columns by position in this sheet; the first column with a given header wins. */
function headerColumns(row: Row): Map<ReportColumnKey, number> {
  const columns = new Map<ReportColumnKey, number>();
  row.eachCell((cell, column) => {
    const value = toCellValue(cell.value);
    const key = value.kind === 'text' ? reportColumnOfHeader(value.text) : undefined;
    if (key && !columns.has(key)) columns.set(key, column);
  });
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

async function readKeyValueRows(worksheet: AsyncIterable<Row>, cells: SheetCells): Promise<Map<string, CellValue>> {
  const pairs = new Map<string, CellValue>();
  for await (const row of worksheet) {
    const key = cells.read(row, 1);
    if (key.kind === 'text' && !pairs.has(key.text.trim())) pairs.set(key.text.trim(), cells.read(row, 2));
  }
  return pairs;
}

function textOf(value: CellValue | undefined): string | undefined {
  if (value?.kind === 'text' && value.text.trim() !== '') return value.text.trim();
  return undefined;
}

function identityFromSheet(pairs: ReadonlyMap<string, CellValue>): ReturnedWorkbook['identity'] {
  const version = pairs.get('version');
  const versionOk = (version?.kind === 'number' && version.value === 1) || textOf(version) === '1';
  return versionOk
    ? completeIdentity(
        textOf(pairs.get('reportId')),
        textOf(pairs.get('organizationId')),
        textOf(pairs.get('windowId')),
        textOf(pairs.get('signature')),
      )
    : undefined;
}

/** A string constant defined name: ="text" or "text", inner quotes doubled. */
function nameConstant(formula: string | undefined): string | undefined {
  const match = /^=?"((?:[^"]|"")*)"$/.exec(formula ?? '');
  return match ? (match[1] ?? '').replace(/""/g, '"') : undefined;
}

/** The defined names carry no version: only version 1 has ever been written. */
function identityFromNames(names: ReadonlyMap<string, string>): ReturnedWorkbook['identity'] {
  return completeIdentity(
    nameConstant(names.get(IDENTITY_DEFINED_NAMES.reportId)),
    nameConstant(names.get(IDENTITY_DEFINED_NAMES.organizationId)),
    nameConstant(names.get(IDENTITY_DEFINED_NAMES.windowId)),
    nameConstant(names.get(IDENTITY_DEFINED_NAMES.signature)),
  );
}

function completeIdentity(
  reportId: string | undefined,
  organizationId: string | undefined,
  windowId: string | undefined,
  signature: string | undefined,
): ReturnedWorkbook['identity'] {
  if (!reportId || !organizationId || !windowId || !signature) return undefined;
  return { identity: { reportId, organizationId, windowId, version: 1 }, signature };
}

/** 1 → "A", 27 → "AA". */
function columnName(column: number): string {
  let name = '';
  for (let n = column; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
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

/** Short texts and dates repeat (Y, N, the nine resolutions, a few dates); one shared object each keeps 50,000 rows small. */
const INTERNED_TEXT_MAX_LENGTH = 64;
const INTERNED_VALUES_MAX = 1000;

/**
 * One sheet's cells as CellValues. Also corrects what exceljs's streaming reader gets wrong, read from the raw sheet
 * XML as it streams past: t="d" cells (an ISO date as text, which exceljs parses as a number), inline strings of
 * several runs (it keeps only the last) and text with entities (which it decodes twice). Those are kept by cell
 * reference and used once, when their row is mapped.
 */
class SheetCells {
  private carry = '';
  private readonly fixups = new Map<string, CellValue>();
  private readonly interned = new Map<string, CellValue>();

  read(row: Row, column: number): CellValue {
    const ref = `${columnName(column)}${row.number}`;
    const fixed = this.fixups.get(ref);
    if (fixed !== undefined) this.fixups.delete(ref);
    return this.intern(fixed ?? toCellValue(row.getCell(column).value));
  }

  private intern(value: CellValue): CellValue {
    const key =
      value.kind === 'date'
        ? `d${value.date}`
        : value.kind === 'text' && value.text.length <= INTERNED_TEXT_MAX_LENGTH
          ? `t${value.text}`
          : undefined;
    if (key === undefined) return value;
    const known = this.interned.get(key);
    if (known) return known;
    if (this.interned.size < INTERNED_VALUES_MAX) this.interned.set(key, Object.freeze(value));
    return value;
  }

  /** Called with each decoded chunk before exceljs parses it, so a row's fixups exist when exceljs emits the row. */
  feed(chunk: string): void {
    const boundary = this.carry.slice(-TYPE_ATTRIBUTE_LENGTH) + chunk.slice(0, TYPE_ATTRIBUTE_LENGTH);
    if (!CELL_TYPES_TO_FIX.test(this.carry) && !CELL_TYPES_TO_FIX.test(boundary) && !CELL_TYPES_TO_FIX.test(chunk)) {
      // Most sheets have no such cell: testing a chunk costs nothing, copying it for every chunk would cost memory.
      this.carry = chunk.slice(completeLength(chunk));
      return;
    }
    const buffer = this.carry + chunk;
    const complete = completeLength(buffer);
    this.carry = buffer.slice(complete);
    for (const match of buffer.slice(0, complete).matchAll(/<c(?=[\s/>])([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
      const attributes = match[1] ?? '';
      const type = /\st=["']([^"']*)["']/.exec(attributes)?.[1];
      const ref = /\sr=["']([^"']*)["']/.exec(attributes)?.[1];
      const inner = match[2] ?? '';
      if (!ref || /<(?:[\w.-]+:)?f[\s/>]/.test(inner)) continue;
      const value = fixupValue(type, inner);
      if (value) this.fixups.set(ref, value);
    }
  }
}

const CELL_TYPES_TO_FIX = /\st=["'](?:d|inlineStr|str)["']/;
/** The longest such attribute, ' t="inlineStr"': a chunk boundary may cut one in two. */
const TYPE_ATTRIBUTE_LENGTH = 14;

/** How much of buffer holds only complete cells: it stops before an unfinished cell or tag. */
function completeLength(buffer: string): number {
  let end = buffer.length;
  const lastTag = buffer.lastIndexOf('<');
  if (lastTag >= 0 && buffer.indexOf('>', lastTag) < 0) end = lastTag;
  let lastCell = buffer.lastIndexOf('<c');
  // '<col', '<cols' and the like are not cells; lastIndexOf(…, -1) would search from 0 again, hence the guard.
  while (lastCell >= 0 && !/[\s/>]/.test(buffer.charAt(lastCell + 2))) {
    lastCell = lastCell === 0 ? -1 : buffer.lastIndexOf('<c', lastCell - 1);
  }
  if (lastCell >= 0 && lastCell < end) {
    const rest = buffer.slice(lastCell, end);
    const tagEnd = rest.indexOf('>');
    const selfClosed = tagEnd > 0 && rest[tagEnd - 1] === '/';
    if (!selfClosed && !rest.includes('</c>')) end = lastCell;
  }
  return end;
}

function fixupValue(type: string | undefined, inner: string): CellValue | undefined {
  if (type === 'd') {
    const raw = decodeXml(/<(?:[\w.-]+:)?v>([^<]*)</.exec(inner)?.[1] ?? '').trim();
    const date = parseReportDate(raw.slice(0, 10));
    return date ? { kind: 'date', date } : text(raw);
  }
  if (type === 'inlineStr') {
    const runs = [...inner.replace(/<rPh\b[\s\S]*?<\/rPh>/g, '').matchAll(/<(?:[\w.-]+:)?t(?:\s[^>]*)?>([^<]*)</g)];
    if (runs.length > 1 || inner.includes('&')) return text(decodeXml(runs.map((run) => run[1] ?? '').join('')));
  }
  if (type === 'str' && inner.includes('&')) {
    return text(decodeXml(/<(?:[\w.-]+:)?v>([^<]*)</.exec(inner)?.[1] ?? ''));
  }
  return undefined;
}

/** An entry's bytes as text, decoded across chunk boundaries; a sheet's text is shown to its SheetCells on the way. */
async function* decodeAndScan(chunks: AsyncIterable<Buffer>, cells?: SheetCells): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of chunks) {
    const text = decoder.write(chunk);
    cells?.feed(text);
    if (text) yield text;
  }
  const rest = decoder.end();
  cells?.feed(rest);
  if (rest) yield rest;
}
