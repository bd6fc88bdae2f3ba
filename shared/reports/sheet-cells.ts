import type ExcelJS from 'exceljs';
import { parseReportDate } from '../domain/report-dates';
import { REPORT_SHEET_NAME, type CellValue } from '../domain/report-sheet';
import { XmlLimitError, XmlScanner, type TagAttributes, type XmlHandler } from './xml-scanner';

/*
 * A sheet's raw XML, watched as it streams to exceljs: one forward pass (XmlScanner) that enforces the caps on what
 * a returned sheet may hold before exceljs parses a chunk, and keeps the cell values exceljs's streaming reader gets
 * wrong, to correct them when their row is mapped.
 */

export interface SheetCaps {
  /** Rows in the sheet, header included. */
  readonly maxRows: number;
  readonly maxColumns: number;
  /** Characters of text in one cell (or one shared string), as written in the XML. */
  readonly maxCellChars: number;
}

/** A report's cells are short (a Comments cell holds at most 500 characters): 32 KB is generous. */
export const CELL_TEXT_MAX_CHARS = 32 * 1024;
/** A report has 11 columns; 1,024 was LibreOffice's limit for years, and is plenty. */
export const SHEET_MAX_COLUMNS = 1024;
/** A report's own rows: 5 times its referrals, and never fewer than this. */
export const SHEET_MIN_ROW_CAP = 10_000;

export const DEFAULT_SHEET_CAPS: SheetCaps = {
  maxRows: SHEET_MIN_ROW_CAP,
  maxColumns: SHEET_MAX_COLUMNS,
  maxCellChars: CELL_TEXT_MAX_CHARS,
};

/** The row cap for a report: 5 times its referrals, or 10,000, whichever is more. */
export function rowCapFor(referralCount: number): number {
  return Math.max(SHEET_MIN_ROW_CAP, 5 * referralCount);
}

export function cellTooLong(caps: SheetCaps, where: string): XmlLimitError {
  return new XmlLimitError(
    'cell-too-long',
    `${where} holds more than ${caps.maxCellChars.toLocaleString('en-US')} characters, far more than a report's cells ` +
      '(a comment is at most 500); shorten it and send the file again',
  );
}

/** 'AB12' → { column: 28, row: 12 }; undefined unless letters then digits. */
export function parseCellRef(ref: string): { column: number; row: number } | undefined {
  let column = 0;
  let i = 0;
  for (; i < ref.length && i < 4; i++) {
    const code = ref.charCodeAt(i) | 0x20;
    if (code < 0x61 || code > 0x7a) break;
    column = column * 26 + (code - 0x60);
  }
  if (column === 0 || i === ref.length || ref.length - i > 7) return undefined;
  let row = 0;
  for (; i < ref.length; i++) {
    const digit = ref.charCodeAt(i) - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    row = row * 10 + digit;
  }
  return { column, row };
}

function text(value: string): CellValue {
  return value.trim() === '' ? { kind: 'empty' } : { kind: 'text', text: value };
}

interface OpenCell {
  readonly ref: { column: number; row: number } | undefined;
  readonly type: string | undefined;
  formula: boolean;
  /** Inside <v> or <t> (and not in a phonetic run). */
  collecting: 'v' | 't' | undefined;
  phonetic: boolean;
  value: string[];
  runs: string[];
  hadEntity: boolean;
  chars: number;
}

/** Short texts and dates repeat (Y, N, the nine resolutions, a few dates); one shared object each keeps 50,000 rows small. */
const INTERNED_TEXT_MAX_LENGTH = 64;
const INTERNED_VALUES_MAX = 1000;

/**
 * One sheet's cells as CellValues, with corrections for t="d" cells (an ISO date as text, which exceljs parses as a
 * number), inline strings of several runs (it keeps only the last) and text with entities (which it decodes twice).
 */
export class SheetCells implements XmlHandler {
  private readonly scanner = new XmlScanner(this);
  private readonly fixups = new Map<number, Map<number, CellValue>>();
  private readonly interned = new Map<string, CellValue>();
  private rows = 0;
  private cellsInRow = 0;
  private cell: OpenCell | undefined;

  constructor(
    private readonly caps: SheetCaps,
    private readonly toCellValue: (value: unknown) => CellValue,
  ) {}

  /** Called with each decoded chunk before exceljs parses it, so a row's fixups exist when exceljs emits the row. */
  feed(chunk: string): void {
    this.scanner.write(chunk);
  }

  read(row: ExcelJS.Row, column: number): CellValue {
    // Rows come in order: corrections for rows already passed (cells never read) are dropped here.
    for (const [rowNumber] of this.fixups) {
      if (rowNumber >= row.number) break;
      this.fixups.delete(rowNumber);
    }
    const fixed = this.fixups.get(row.number)?.get(column);
    return this.intern(fixed ?? this.toCellValue(row.getCell(column).value));
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

  open(name: string, attributes: TagAttributes, selfClosing: boolean): void {
    if (name === 'row') {
      this.rows++;
      if (this.rows > this.caps.maxRows) {
        throw new XmlLimitError(
          'too-many-rows',
          `the "${REPORT_SHEET_NAME}" sheet has more than ${this.caps.maxRows.toLocaleString('en-US')} rows, far more ` +
            "than this report's referrals; send back the report MNsure sent, without added rows",
        );
      }
      this.cellsInRow = 0;
      return;
    }
    if (name === 'c') {
      const ref = parseCellRef(attributes.get('r') ?? '');
      this.cellsInRow++;
      if (this.cellsInRow > this.caps.maxColumns || (ref && ref.column > this.caps.maxColumns)) {
        throw new XmlLimitError(
          'too-many-columns',
          `a row of the "${REPORT_SHEET_NAME}" sheet has cells beyond column ${this.caps.maxColumns.toLocaleString('en-US')}, ` +
            'far more than a report has; delete the extra columns and send the file again',
        );
      }
      // A literal of one fixed shape: this runs for every cell of a 50,000-row sheet.
      this.cell = selfClosing
        ? undefined
        : {
            ref,
            type: attributes.get('t'),
            formula: false,
            collecting: undefined,
            phonetic: false,
            value: [],
            runs: [],
            hadEntity: false,
            chars: 0,
          };
      return;
    }
    const cell = this.cell;
    if (!cell) return;
    if (name === 'f') cell.formula = true;
    else if (name === 'rPh') cell.phonetic = true;
    else if ((name === 'v' || name === 't') && !cell.phonetic && !selfClosing) cell.collecting = name;
  }

  close(name: string): void {
    const cell = this.cell;
    if (!cell) return;
    if (name === 'v' || name === 't') cell.collecting = undefined;
    else if (name === 'rPh') cell.phonetic = false;
    else if (name === 'c') {
      this.cell = undefined;
      const value = cell.formula || !cell.ref ? undefined : fixupValue(cell);
      if (value && cell.ref) {
        let row = this.fixups.get(cell.ref.row);
        if (!row) this.fixups.set(cell.ref.row, (row = new Map()));
        row.set(cell.ref.column, value);
      }
    }
  }

  text(value: string, hadEntity: boolean): void {
    const cell = this.cell;
    if (!cell) return;
    // Every character inside a cell counts, wherever it sits: exceljs keeps them all.
    cell.chars += value.length;
    if (cell.chars > this.caps.maxCellChars) {
      throw cellTooLong(this.caps, cell.ref ? `a cell in row ${cell.ref.row}` : 'a cell');
    }
    if (cell.collecting === 'v') cell.value.push(value);
    else if (cell.collecting === 't') cell.runs.push(value);
    if (hadEntity) cell.hadEntity = true;
  }
}

function fixupValue(cell: OpenCell): CellValue | undefined {
  if (cell.type === 'd') {
    const raw = cell.value.join('').trim();
    const date = parseReportDate(raw.slice(0, 10));
    return date ? { kind: 'date', date } : text(raw);
  }
  if (cell.type === 'inlineStr' && (cell.runs.length > 1 || cell.hadEntity)) return text(cell.runs.join(''));
  if (cell.type === 'str' && cell.hadEntity) return text(cell.value.join(''));
  return undefined;
}

/** Shared strings: each one capped as a cell is, and no more of them than the sheet could show. */
export class SharedStringCaps implements XmlHandler {
  private readonly scanner = new XmlScanner(this);
  private strings = 0;
  private chars = 0;

  constructor(private readonly caps: SheetCaps) {}

  feed(chunk: string): void {
    this.scanner.write(chunk);
  }

  open(name: string): void {
    if (name !== 'si') return;
    this.chars = 0;
    this.strings++;
    if (this.strings > this.caps.maxRows * REPORT_STRINGS_PER_ROW) {
      throw new XmlLimitError(
        'too-many-strings',
        `it holds more than ${(this.caps.maxRows * REPORT_STRINGS_PER_ROW).toLocaleString('en-US')} texts, far more than a report has; send back the report MNsure sent`,
      );
    }
  }

  text(value: string): void {
    this.chars += value.length;
    if (this.chars > this.caps.maxCellChars) throw cellTooLong(this.caps, 'a text in the file');
  }
}

/** A report row has 11 columns; other sheets (the lists, the identity) add a few strings. */
const REPORT_STRINGS_PER_ROW = 16;
