import { parseReportDate } from '../domain/report-dates';
import { REPORT_SHEET_NAME, type CellValue } from '../domain/report-sheet';
import { XmlLimitError, XmlScanner, type TagAttributes, type XmlHandler } from './xml-scanner';

/*
 * A sheet's raw XML read in one forward pass (XmlScanner) that enforces the caps on what a returned sheet may hold
 * and turns each row into CellValues as it streams past. exceljs parses the workbook, styles and shared strings
 * (CellLookup); the sheet itself, the bulk of the file, is read only here: a second parser over it doubled the time.
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
  readonly column: number;
  readonly type: string | undefined;
  readonly style: number | undefined;
  /** A <v>, <is> or <t> was seen: the cell has a value, even an empty one. */
  hasValue: boolean;
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

/** What a cell refers to outside the sheet: the shared strings and the cell styles, as exceljs parsed them. */
export interface CellLookup {
  /** The shared string at index, as exceljs keeps it (text, or { richText }). */
  sharedString(index: number): unknown;
  /** Whether the cell style at index shows numbers as dates. */
  isDateStyle(index: number): boolean;
}

/** One row of the sheet: its number and its cells by column (1-based), in the order they were written. */
export interface SheetRow {
  readonly number: number;
  readonly cells: ReadonlyMap<number, CellValue>;
}

const EMPTY: CellValue = Object.freeze({ kind: 'empty' });
const FORMULA: CellValue = Object.freeze({ kind: 'formula' });
const ERROR: CellValue = Object.freeze({ kind: 'error' });

/**
 * One sheet's rows of CellValues: t="s" from the shared strings, t="str" and inline strings (every run but phonetic
 * ones) as text, t="b", t="e", t="d" (an ISO date as text), formulas as formulas whatever their cached result, and
 * numbers as dates where their style's format is a date's (as Excel shows them).
 */
export class SheetCells implements XmlHandler {
  private readonly scanner = new XmlScanner(this);
  private readonly interned = new Map<string, CellValue>();
  private readonly done: SheetRow[] = [];
  private row: { number: number; cells: Map<number, CellValue> } | undefined;
  private rows = 0;
  private cellsInRow = 0;
  private lastColumn = 0;
  private cell: OpenCell | undefined;

  constructor(
    private readonly caps: SheetCaps,
    private readonly toCellValue: (value: unknown) => CellValue,
    private readonly lookup: CellLookup,
  ) {}

  feed(chunk: string): void {
    this.scanner.write(chunk);
  }

  /** The rows of the sheet, as the chunks fed to this (by `chunks`, as it is iterated) complete them. */
  async *rowsOf(chunks: AsyncIterable<unknown>): AsyncGenerator<SheetRow> {
    for await (const _ of chunks) {
      yield* this.done;
      this.done.length = 0;
    }
    yield* this.done;
    this.done.length = 0;
  }

  read(row: SheetRow, column: number): CellValue {
    return row.cells.get(column) ?? EMPTY;
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
      this.lastColumn = 0;
      this.row = { number: Number.parseInt(attributes.get('r') ?? '', 10) || this.rows, cells: new Map() };
      if (selfClosing) this.endRow();
      return;
    }
    if (name === 'c') {
      const ref = parseCellRef(attributes.get('r') ?? '');
      // A cell without a reference is the one after the previous (the reference is optional in the format).
      const column = ref?.column ?? this.lastColumn + 1;
      this.lastColumn = column;
      this.cellsInRow++;
      if (this.cellsInRow > this.caps.maxColumns || (ref && ref.column > this.caps.maxColumns)) {
        throw new XmlLimitError(
          'too-many-columns',
          `a row of the "${REPORT_SHEET_NAME}" sheet has cells beyond column ${this.caps.maxColumns.toLocaleString('en-US')}, ` +
            'far more than a report has; delete the extra columns and send the file again',
        );
      }
      // A literal of one fixed shape: this runs for every cell of a 50,000-row sheet.
      const style = attributes.get('s');
      this.cell = selfClosing
        ? undefined
        : {
            ref,
            column,
            type: attributes.get('t'),
            style: style === undefined ? undefined : Number.parseInt(style, 10),
            hasValue: false,
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
    else if (name === 'is') cell.hasValue = true;
    else if ((name === 'v' || name === 't') && !cell.phonetic) {
      cell.hasValue = true;
      if (!selfClosing) cell.collecting = name;
    }
  }

  private endRow(): void {
    if (this.row) this.done.push(this.row);
    this.row = undefined;
  }

  close(name: string): void {
    if (name === 'row') return this.endRow();
    const cell = this.cell;
    if (!cell) return;
    if (name === 'v' || name === 't') cell.collecting = undefined;
    else if (name === 'rPh') cell.phonetic = false;
    else if (name === 'c') {
      this.cell = undefined;
      this.row?.cells.set(cell.column, this.intern(this.valueOf(cell)));
    }
  }

  private valueOf(cell: OpenCell): CellValue {
    if (cell.formula) return FORMULA;
    if (!cell.hasValue) return EMPTY;
    const raw = cell.value.join('');
    switch (cell.type) {
      case 'd': {
        const date = parseReportDate(raw.trim().slice(0, 10));
        return date ? { kind: 'date', date } : text(raw.trim());
      }
      case 'inlineStr':
        return text(cell.runs.join(''));
      case 'str':
        return text(raw);
      case 's':
        return this.toCellValue(this.lookup.sharedString(Number.parseInt(raw, 10)));
      case 'e':
        return ERROR;
      case 'b':
        return { kind: 'boolean', value: Number.parseInt(raw, 10) !== 0 };
      default: {
        const number = Number.parseFloat(raw);
        if (cell.style !== undefined && Number.isFinite(number) && this.lookup.isDateStyle(cell.style)) {
          return this.toCellValue(excelSerialToDate(number));
        }
        return this.toCellValue(number);
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

/** A serial of the 1900 date system as the UTC midnight (and time) it stands for. */
function excelSerialToDate(serial: number): Date {
  return new Date(Math.round((serial - 25569) * 24 * 3600 * 1000));
}

/** Whether a number format shows a date or time: any of y m d h s b outside quotes and [brackets] (as exceljs). */
export function isDateFormat(format: string | undefined): boolean {
  if (!format) return false;
  return /[ymdhMsb]/.test(format.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
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
