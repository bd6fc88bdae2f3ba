import { StringDecoder } from 'node:string_decoder';
import { IDENTITY_DEFINED_NAMES, IDENTITY_SHEET_NAME, type ReportIdentity } from '../domain/report-sheet';
import { CELL_TEXT_MAX_CHARS, cellTooLong, DEFAULT_SHEET_CAPS, parseCellRef } from './sheet-cells';
import { inflateZipEntry, readZipEntry, type ZipEntry } from './zip-directory';
import { XmlScanner, xmlElements } from './xml-scanner';

/*
 * The report's signed identity, read cheaply: workbook.xml (at most 1 MB) for its defined names, else the very
 * hidden PAL sheet (at most 64 KB) and only the shared strings it names. No part of the Referrals sheet is read,
 * so a file that is not one of ours is refused in time and memory independent of its rows.
 */

export interface FoundIdentity {
  readonly identity: ReportIdentity;
  readonly signature: string;
}

export interface WorkbookStructure {
  /** Sheet names by zip path, e.g. 'xl/worksheets/sheet2.xml' → 'Referrals'. */
  readonly sheets: ReadonlyMap<string, string>;
  /** Workbook-level defined names and their formula text. */
  readonly definedNames: ReadonlyMap<string, string>;
  readonly date1904: boolean;
}

const WORKBOOK_PART_MAX_BYTES = 1024 * 1024;
/** The PAL sheet holds five short rows: anything bigger is not the sheet we wrote. */
const IDENTITY_SHEET_MAX_BYTES = 64 * 1024;

export function readWorkbookStructure(data: Buffer, entries: ReadonlyMap<string, ZipEntry>): WorkbookStructure {
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
      const relative = target.startsWith('./') ? target.slice(2) : target;
      targets.set(id, target.startsWith('/') ? target.slice(1) : `xl/${relative}`);
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

export function sameSheetName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

export function sheetEntry(
  book: WorkbookStructure,
  entries: ReadonlyMap<string, ZipEntry>,
  name: string,
): ZipEntry | undefined {
  const found = [...book.sheets].find(([path, sheetName]) => sameSheetName(sheetName, name) && entries.has(path));
  return found && entries.get(found[0]);
}

/** The identity the file carries: its defined names (what Excel keeps), else its PAL sheet (what LibreOffice keeps). */
export async function readReportIdentity(
  data: Buffer,
  entries: ReadonlyMap<string, ZipEntry>,
  book: WorkbookStructure,
): Promise<FoundIdentity | undefined> {
  const fromNames = identityFromNames(book.definedNames);
  if (fromNames) return fromNames;
  const entry = sheetEntry(book, entries, IDENTITY_SHEET_NAME);
  if (!entry || entry.uncompressedSize > IDENTITY_SHEET_MAX_BYTES) return undefined;
  const cells = identityCells(readZipEntry(data, entry, IDENTITY_SHEET_MAX_BYTES).toString('utf8'));
  const indices = [...cells.values()].flatMap((cell) => (cell.type === 's' ? [Number(cell.text)] : []));
  const strings = indices.length > 0 ? await sharedStrings(data, entries.get('xl/sharedStrings.xml'), indices) : [];
  const valueOf = (cell: RawCell | undefined): string | undefined => {
    if (!cell) return undefined;
    const value = cell.type === 's' ? strings[Number(cell.text)] : cell.text;
    return value?.trim() === '' ? undefined : value?.trim();
  };
  const pairs = new Map<string, RawCell | undefined>();
  for (const [row, cell] of cells) {
    if (cell.column !== 1) continue;
    const key = valueOf(cell);
    if (key !== undefined && !pairs.has(key)) pairs.set(key, cells.get(`${row.split(':')[0]}:2`));
  }
  if (valueOf(pairs.get('version')) !== '1') return undefined;
  return completeIdentity(
    valueOf(pairs.get('reportId')),
    valueOf(pairs.get('organizationId')),
    valueOf(pairs.get('windowId')),
    valueOf(pairs.get('signature')),
  );
}

interface RawCell {
  readonly column: number;
  readonly type: string;
  text: string;
}

/** Columns A and B of a small sheet, keyed "row:column", as written: the text of <v> or of an inline string. */
function identityCells(xml: string): Map<string, RawCell> {
  const cells = new Map<string, RawCell>();
  let cell: RawCell | undefined;
  let collecting = false;
  new XmlScanner({
    open(name, attributes, selfClosing) {
      if (name === 'c') {
        const ref = parseCellRef(attributes.get('r') ?? '');
        cell = undefined;
        const type = attributes.get('t') ?? 'n';
        // A boolean or an error is no identity value (TRUE would read as "1").
        if (ref && ref.column <= 2 && !selfClosing && type !== 'b' && type !== 'e') {
          cell = { column: ref.column, type, text: '' };
          cells.set(`${ref.row}:${ref.column}`, cell);
        }
      } else if (name === 'f' && cell) {
        cells.delete([...cells].find(([, c]) => c === cell)?.[0] ?? '');
        cell = undefined;
      } else if ((name === 'v' || name === 't') && !selfClosing) {
        collecting = true;
      }
    },
    close(name) {
      if (name === 'v' || name === 't') collecting = false;
      else if (name === 'c') cell = undefined;
    },
    text(text) {
      if (cell && collecting) cell.text += text;
    },
  }).write(xml);
  return cells;
}

/** The shared strings at the given indices, streamed: nothing else is kept, and reading stops past the last one. */
async function sharedStrings(data: Buffer, entry: ZipEntry | undefined, wanted: number[]): Promise<string[]> {
  const found: string[] = [];
  if (!entry) return found;
  const needed = new Set(wanted.filter((index) => Number.isInteger(index) && index >= 0));
  const last = Math.max(-1, ...needed);
  let index = -1;
  let current: string[] | undefined;
  let chars = 0;
  let inPhonetic = false;
  const scanner = new XmlScanner({
    open(name) {
      if (name === 'si') {
        index++;
        chars = 0;
        current = needed.has(index) ? [] : undefined;
      } else if (name === 'rPh') inPhonetic = true;
    },
    close(name) {
      if (name === 'si' && current) found[index] = current.join('');
      else if (name === 'rPh') inPhonetic = false;
    },
    text(text) {
      chars += text.length;
      if (chars > CELL_TEXT_MAX_CHARS) throw cellTooLong(DEFAULT_SHEET_CAPS, 'a text in the file');
      if (!inPhonetic) current?.push(text);
    },
  });
  const decoder = new StringDecoder('utf8');
  for await (const chunk of inflateZipEntry(data, entry)) {
    scanner.write(decoder.write(chunk));
    if (index > last) break;
  }
  return found;
}

/** A string constant defined name: ="text" or "text", inner quotes doubled; read in one pass. */
function nameConstant(formula: string | undefined): string | undefined {
  if (formula === undefined) return undefined;
  const body = formula.startsWith('=') ? formula.slice(1) : formula;
  if (body.length < 2 || !body.startsWith('"') || !body.endsWith('"')) return undefined;
  let out = '';
  for (let i = 1; i < body.length - 1; i++) {
    if (body[i] !== '"') out += body[i];
    else if (body[i + 1] === '"' && i + 1 < body.length - 1) out += body[i++];
    else return undefined;
  }
  return out;
}

/** The defined names carry no version: only version 1 has ever been written. */
function identityFromNames(names: ReadonlyMap<string, string>): FoundIdentity | undefined {
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
): FoundIdentity | undefined {
  if (!reportId || !organizationId || !windowId || !signature) return undefined;
  return { identity: { reportId, organizationId, windowId, version: 1 }, signature };
}
