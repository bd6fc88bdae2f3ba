import { StringDecoder } from 'node:string_decoder';
import { readWorkbookStructure } from './report-identity';
import { cellTooLong, DEFAULT_SHEET_CAPS, parseCellRef, SharedStringCaps, type SheetCaps } from './sheet-cells';
import { inspectXlsx } from './xlsx-safety';
import { inflateZipEntry, readZipDirectory, ZipEntrySizeError, type ZipEntry } from './zip-directory';
import { XmlLimitError, XmlScanner } from './xml-scanner';

/*
 * The first sheet of a small .xlsx as rows of text (the admin directory import), read with the same byte
 * inspection, linear scanner and caps as a returned report: a spreadsheet from anyone costs time linear in its size.
 */

export class SheetTableError extends Error {
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
    this.name = 'SheetTableError';
  }
}

/** Non-empty rows of the workbook's first sheet, each cell as its text ('' for a gap); throws SheetTableError. */
export async function readFirstSheetTable(data: Buffer, caps: SheetCaps = DEFAULT_SHEET_CAPS): Promise<string[][]> {
  const inspection = inspectXlsx(data);
  if (!inspection.ok) throw new SheetTableError(inspection.rule, inspection.message);
  try {
    const entries = new Map(readZipDirectory(data).map((entry) => [entry.name, entry]));
    const book = readWorkbookStructure(data, entries);
    const first = [...book.sheets.keys()].map((path) => entries.get(path)).find((entry) => entry !== undefined);
    if (!first) throw new SheetTableError('no-sheet', 'the workbook has no sheet');
    const strings = await sharedStrings(data, entries.get('xl/sharedStrings.xml'), caps);
    return await sheetRows(data, first, strings, caps);
  } catch (error) {
    if (error instanceof SheetTableError) throw error;
    if (error instanceof XmlLimitError) throw new SheetTableError(error.rule, error.message);
    if (error instanceof ZipEntrySizeError) {
      throw new SheetTableError('zip-bomb', 'it unpacks to more data than it declares (a "zip bomb")');
    }
    throw new SheetTableError('unreadable', 'it could not be read as a spreadsheet; save it again as .xlsx');
  }
}

async function scanEntry(data: Buffer, entry: ZipEntry, feed: (text: string) => void): Promise<void> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of inflateZipEntry(data, entry)) feed(decoder.write(chunk));
  feed(decoder.end());
}

async function sharedStrings(data: Buffer, entry: ZipEntry | undefined, caps: SheetCaps): Promise<string[]> {
  const strings: string[] = [];
  if (!entry) return strings;
  const limits = new SharedStringCaps(caps);
  let current: string[] = [];
  let phonetic = false;
  const scanner = new XmlScanner({
    open(name, attributes, selfClosing) {
      limits.open(name);
      if (name === 'si') current = [];
      else if (name === 'rPh' && !selfClosing) phonetic = true;
    },
    close(name) {
      if (name === 'si') strings.push(current.join(''));
      else if (name === 'rPh') phonetic = false;
    },
    text(text) {
      limits.text(text);
      if (!phonetic) current.push(text);
    },
  });
  await scanEntry(data, entry, (text) => scanner.write(text));
  return strings;
}

interface OpenCell {
  column: number;
  type: string;
  value: string[];
  chars: number;
}

async function sheetRows(data: Buffer, entry: ZipEntry, strings: string[], caps: SheetCaps): Promise<string[][]> {
  const rows: string[][] = [];
  let row: string[] | undefined;
  let rowCount = 0;
  let cell: OpenCell | undefined;
  let collecting = false;
  let phonetic = false;
  const scanner = new XmlScanner({
    open(name, attributes, selfClosing) {
      if (name === 'row') {
        if (++rowCount > caps.maxRows) {
          throw new SheetTableError('too-many-rows', `the sheet has more than ${caps.maxRows} rows`);
        }
        row = [];
        if (selfClosing) row = undefined;
      } else if (name === 'c' && row) {
        const column = parseCellRef(attributes.get('r') ?? '')?.column ?? row.length + 1;
        if (column > caps.maxColumns) {
          throw new SheetTableError('too-many-columns', `a row has cells beyond column ${caps.maxColumns}`);
        }
        cell = selfClosing ? undefined : { column, type: attributes.get('t') ?? 'n', value: [], chars: 0 };
      } else if (name === 'rPh' && !selfClosing) {
        phonetic = true;
      } else if ((name === 'v' || name === 't') && cell && !selfClosing) {
        collecting = true;
      }
    },
    close(name) {
      if (name === 'v' || name === 't') collecting = false;
      else if (name === 'rPh') phonetic = false;
      else if (name === 'c' && cell && row) {
        const text = cellText(cell, strings);
        while (row.length < cell.column - 1) row.push('');
        row[cell.column - 1] = text;
        cell = undefined;
      } else if (name === 'row' && row) {
        if (row.some((text) => text !== '')) rows.push(row.map((text) => text ?? ''));
        row = undefined;
      }
    },
    text(text) {
      if (!cell) return;
      cell.chars += text.length;
      if (cell.chars > caps.maxCellChars) throw cellTooLong(caps, `a cell in row ${rowCount}`);
      if (collecting && !phonetic) cell.value.push(text);
    },
  });
  await scanEntry(data, entry, (text) => scanner.write(text));
  return rows;
}

/** A cell as the text it shows: shared or inline strings as written, numbers as numbers print, booleans as words. */
function cellText(cell: OpenCell, strings: readonly string[]): string {
  const raw = cell.value.join('');
  switch (cell.type) {
    case 's':
      return strings[Number(raw)] ?? '';
    case 'b':
      return raw === '1' ? 'true' : raw === '0' ? 'false' : raw;
    case 'n': {
      const number = Number(raw);
      return raw.trim() !== '' && Number.isFinite(number) ? String(number) : raw;
    }
    default:
      return raw;
  }
}
