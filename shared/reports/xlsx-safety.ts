import { createInflateRaw, inflateRawSync } from 'node:zlib';
import { XmlLimitError, xmlElements } from './xml-scanner';

/*
 * A returned report comes from outside: an upload or an email attachment. Before any parser touches it, we read
 * the zip's own bookkeeping (the central directory) and refuse what is too big, a zip bomb, not a workbook, or
 * able to do more than hold data (macros, links to other files). inspectXlsx inflates nothing but the tiny
 * [Content_Types].xml. A reader then takes entries through inflateZipEntry, which holds each to its declared size.
 */

export interface XlsxLimits {
  maxBytes: number;
  maxUncompressedBytes: number;
  maxEntries: number;
  /** Uncompressed ÷ compressed size of one entry; ordinary sheets are near 10. */
  maxCompressionRatio: number;
}

export const DEFAULT_XLSX_LIMITS: XlsxLimits = {
  maxBytes: 5 * 1024 * 1024,
  maxUncompressedBytes: 100 * 1024 * 1024,
  maxEntries: 1000,
  maxCompressionRatio: 200,
};

export type XlsxRule =
  | 'too-large'
  | 'not-xlsx'
  | 'too-many-entries'
  | 'duplicate-entry'
  | 'zip-bomb'
  | 'unsafe-path'
  | 'macros'
  | 'external-links'
  | 'encrypted';

export type XlsxCheck = { ok: true } | { ok: false; rule: XlsxRule; message: string };

/** One file inside the zip, as the central directory describes it. */
export interface ZipEntry {
  readonly name: string;
  readonly flags: number;
  /** 0 stored, 8 deflated. */
  readonly method: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
}

const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_END_SIGNATURE = 0x06064b50;
const ZIP64_EXTRA_FIELD = 0x0001;
const DATA_DESCRIPTOR_SIZES = [12, 16, 20, 24];

const LOCAL_HEADER_SIZE = 30;
const CENTRAL_HEADER_SIZE = 46;
const END_OF_CENTRAL_DIRECTORY_SIZE = 22;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_END_SIZE = 56;
const MAX_ZIP_COMMENT = 0xffff;

const FLAG_ENCRYPTED = 0x0001;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8_NAME = 0x0800;

const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;

/** Below this, an entry cannot hurt whatever its ratio; tiny XML parts compress far better than sheets do. */
const RATIO_CHECK_MIN_BYTES = 64 * 1024;
const CONTENT_TYPES_MAX_BYTES = 64 * 1024;

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
/** Compound File Binary: Office 97-2003 files, and the wrapper Office puts around a password-protected .xlsx. */
const CFB_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const CFB_ENCRYPTION_STREAMS = ['EncryptionInfo', 'EncryptedPackage'].map((name) => Buffer.from(name, 'utf16le'));

const MACRO_ENABLED = /macroEnabled/i;

const MESSAGES = {
  notXlsx: 'it is not an .xlsx file; open it in Excel, save it as "Excel Workbook (.xlsx)" and send it again',
  damaged: 'it is damaged or is not an .xlsx file; save it again as "Excel Workbook (.xlsx)" and send it again',
  oldExcel:
    'it is not an .xlsx file (it looks like an Excel 97-2003 .xls file); save it as "Excel Workbook (.xlsx)" and send it again',
  encrypted:
    'it is password-protected, and password-protected files cannot be read; remove the password and send it again',
  macros:
    'it contains macros, and macro-enabled files are not accepted; save it as "Excel Workbook (.xlsx)" and send it again',
  externalLinks:
    'it links to other workbooks, which is not accepted; remove the links (Data > Edit Links > Break Link) and send it again',
  unsafePath: 'it is not a normal .xlsx file (it names files outside the workbook), so it cannot be accepted',
  zipBomb:
    'it unpacks to far more data than a report holds (a "zip bomb"), so it was not opened; send the report as saved by Excel',
} as const;

class ZipFormatError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ZipFormatError';
  }
}

function refuse(rule: XlsxRule, message: string): XlsxCheck {
  return { ok: false, rule, message };
}

function megabytes(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
}

/**
 * Checks a returned file before anything parses it. In order: size, that it is a zip (or a password-protected
 * or old-format Office file), the central directory, entry count, zip bomb (declared sizes and ratios), unsafe
 * paths, macros, links to other workbooks, the parts every workbook has, and encryption.
 */
export function inspectXlsx(data: Buffer, limits: XlsxLimits = DEFAULT_XLSX_LIMITS): XlsxCheck {
  if (data.length > limits.maxBytes) {
    return refuse(
      'too-large',
      `it is ${megabytes(data.length)}, more than the ${megabytes(limits.maxBytes)} a report may be; send the report file alone, without other sheets or pictures`,
    );
  }
  if (data.subarray(0, CFB_MAGIC.length).equals(CFB_MAGIC)) {
    const encrypted = CFB_ENCRYPTION_STREAMS.some((name) => data.includes(name));
    return encrypted ? refuse('encrypted', MESSAGES.encrypted) : refuse('not-xlsx', MESSAGES.oldExcel);
  }
  if (!data.subarray(0, ZIP_MAGIC.length).equals(ZIP_MAGIC)) {
    return refuse('not-xlsx', MESSAGES.notXlsx);
  }

  let entries: ZipEntry[];
  try {
    const directory = locateCentralDirectory(data);
    if (directory.entryCount > limits.maxEntries) {
      return refuse(
        'too-many-entries',
        `it holds ${directory.entryCount} parts, more than the ${limits.maxEntries} a report may have, so it cannot be accepted`,
      );
    }
    entries = readEntries(data, directory);
  } catch (error) {
    if (error instanceof ZipFormatError) return refuse('not-xlsx', MESSAGES.damaged);
    throw error;
  }

  let total = 0;
  for (const entry of entries) {
    total += entry.uncompressedSize;
    const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1);
    if (
      total > limits.maxUncompressedBytes ||
      (entry.uncompressedSize > RATIO_CHECK_MIN_BYTES && ratio > limits.maxCompressionRatio)
    ) {
      return refuse('zip-bomb', MESSAGES.zipBomb);
    }
  }

  const names = entries.map((entry) => entry.name);
  const duplicate = firstDuplicate(names);
  if (duplicate !== undefined) {
    return refuse(
      'duplicate-entry',
      `it holds two parts named "${duplicate}", which no spreadsheet program writes (programs would disagree on which one to read), so it cannot be accepted; save it again as "Excel Workbook (.xlsx)" and send it again`,
    );
  }
  if (names.some(isUnsafePath)) return refuse('unsafe-path', MESSAGES.unsafePath);
  if (names.some((name) => /vbaproject/i.test(name))) return refuse('macros', MESSAGES.macros);
  if (names.some((name) => name.toLowerCase().startsWith('xl/externallinks/'))) {
    return refuse('external-links', MESSAGES.externalLinks);
  }
  const contentTypes = entries.find((entry) => entry.name === '[Content_Types].xml');
  if (!contentTypes || !names.includes('xl/workbook.xml')) return refuse('not-xlsx', MESSAGES.notXlsx);
  if (entries.some((entry) => (entry.flags & FLAG_ENCRYPTED) !== 0) || names.includes('EncryptionInfo')) {
    return refuse('encrypted', MESSAGES.encrypted);
  }

  // The one entry inflated here: small by rule, and the only place a macro-enabled main part is declared.
  if (contentTypes.uncompressedSize >= CONTENT_TYPES_MAX_BYTES) return refuse('not-xlsx', MESSAGES.notXlsx);
  let contentTypesXml: string;
  try {
    contentTypesXml = readZipEntry(data, contentTypes, CONTENT_TYPES_MAX_BYTES).toString('utf8');
  } catch {
    return refuse('not-xlsx', MESSAGES.damaged);
  }
  let workbookType: string;
  try {
    workbookType = workbookContentType(contentTypesXml);
  } catch (error) {
    if (error instanceof XmlLimitError) return refuse('not-xlsx', MESSAGES.damaged);
    throw error;
  }
  if (MACRO_ENABLED.test(workbookType)) return refuse('macros', MESSAGES.macros);
  return { ok: true };
}

/**
 * Part names are compared without regard to ASCII case (Open Packaging Conventions): a zip holding two copies of a
 * name would let one reader take the first and another the last, so the file is refused.
 */
function firstDuplicate(names: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const name of names) {
    const key = name.toLowerCase();
    if (seen.has(key)) return name;
    seen.add(key);
  }
  return undefined;
}

/**
 * The content type [Content_Types].xml gives xl/workbook.xml: its Override, else the default for .xml. Only the main
 * part counts: some writers (SheetJS) declare a macro-enabled default for .bin files they never include.
 */
function workbookContentType(contentTypesXml: string): string {
  const override = xmlElements(contentTypesXml, 'Override').find(
    (element) => element.attributes.get('PartName')?.toLowerCase() === '/xl/workbook.xml',
  );
  const fallback = xmlElements(contentTypesXml, 'Default').find(
    (element) => element.attributes.get('Extension')?.toLowerCase() === 'xml',
  );
  return (override ?? fallback)?.attributes.get('ContentType') ?? '';
}

function isUnsafePath(name: string): boolean {
  return (
    name.startsWith('/') ||
    name.includes('\\') ||
    name.includes('\0') ||
    /^[a-z]:/i.test(name) ||
    name.split('/').some((segment) => segment === '..')
  );
}

interface CentralDirectory {
  readonly entryCount: number;
  readonly offset: number;
  readonly size: number;
}

/** Finds the End Of Central Directory record (and its ZIP64 form), scanning back over at most a 64 KB comment. */
function locateCentralDirectory(data: Buffer): CentralDirectory {
  const lowest = Math.max(0, data.length - END_OF_CENTRAL_DIRECTORY_SIZE - MAX_ZIP_COMMENT);
  let eocd = -1;
  for (let at = data.length - END_OF_CENTRAL_DIRECTORY_SIZE; at >= lowest; at -= 1) {
    if (data.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY_SIGNATURE) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError('no end of central directory');
  const diskNumber = data.readUInt16LE(eocd + 4);
  const directoryDisk = data.readUInt16LE(eocd + 6);
  let entryCount = data.readUInt16LE(eocd + 10);
  let size = data.readUInt32LE(eocd + 12);
  let offset = data.readUInt32LE(eocd + 16);
  if (diskNumber !== 0 || directoryDisk !== 0) throw new ZipFormatError('multi-disk archive');

  if (entryCount === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const locator = eocd - ZIP64_LOCATOR_SIZE;
    if (locator < 0 || data.readUInt32LE(locator) !== ZIP64_LOCATOR_SIGNATURE) {
      throw new ZipFormatError('ZIP64 locator missing');
    }
    const zip64End = readSafeUInt64(data, locator + 8);
    if (zip64End + ZIP64_END_SIZE > data.length || data.readUInt32LE(zip64End) !== ZIP64_END_SIGNATURE) {
      throw new ZipFormatError('ZIP64 end of central directory missing');
    }
    entryCount = readSafeUInt64(data, zip64End + 32);
    size = readSafeUInt64(data, zip64End + 40);
    offset = readSafeUInt64(data, zip64End + 48);
  }
  if (offset + size > eocd) throw new ZipFormatError('central directory out of bounds');
  return { entryCount, offset, size };
}

function readSafeUInt64(data: Buffer, at: number): number {
  if (at + 8 > data.length) throw new ZipFormatError('truncated');
  const value = data.readBigUInt64LE(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError('size out of range');
  return Number(value);
}

function readEntries(data: Buffer, directory: CentralDirectory): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let at = directory.offset;
  const end = directory.offset + directory.size;
  for (let index = 0; index < directory.entryCount; index += 1) {
    if (at + CENTRAL_HEADER_SIZE > end || data.readUInt32LE(at) !== CENTRAL_HEADER_SIGNATURE) {
      throw new ZipFormatError('bad central directory entry');
    }
    const flags = data.readUInt16LE(at + 8);
    const method = data.readUInt16LE(at + 10);
    let compressedSize = data.readUInt32LE(at + 20);
    let uncompressedSize = data.readUInt32LE(at + 24);
    const nameLength = data.readUInt16LE(at + 28);
    const extraLength = data.readUInt16LE(at + 30);
    const commentLength = data.readUInt16LE(at + 32);
    let localHeaderOffset = data.readUInt32LE(at + 42);
    const nameStart = at + CENTRAL_HEADER_SIZE;
    const extraStart = nameStart + nameLength;
    const next = extraStart + extraLength + commentLength;
    if (next > end) throw new ZipFormatError('central directory entry out of bounds');
    const name = data.toString((flags & FLAG_UTF8_NAME) !== 0 ? 'utf8' : 'latin1', nameStart, extraStart);

    if (uncompressedSize === 0xffffffff || compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
      // ZIP64 extra field: the 8-byte values appear in this order, each only when its 4-byte field is saturated.
      let field = findExtraField(data, extraStart, extraStart + extraLength, ZIP64_EXTRA_FIELD);
      if (field === undefined) throw new ZipFormatError('ZIP64 extra field missing');
      if (uncompressedSize === 0xffffffff) [uncompressedSize, field] = [readSafeUInt64(data, field), field + 8];
      if (compressedSize === 0xffffffff) [compressedSize, field] = [readSafeUInt64(data, field), field + 8];
      if (localHeaderOffset === 0xffffffff) localHeaderOffset = readSafeUInt64(data, field);
    }
    entries.push({ name, flags, method, compressedSize, uncompressedSize, localHeaderOffset });
    at = next;
  }
  checkLocalHeaders(data, entries, directory.offset);
  return entries;
}

function findExtraField(data: Buffer, start: number, end: number, id: number): number | undefined {
  for (let at = start; at + 4 <= end;) {
    const fieldId = data.readUInt16LE(at);
    const fieldSize = data.readUInt16LE(at + 2);
    if (fieldId === id) return at + 4 + fieldSize <= end ? at + 4 : undefined;
    at += 4 + fieldSize;
  }
  return undefined;
}

/**
 * Parsers that stream a zip (exceljs does) read the local headers front to back and never look at the central
 * directory. So the local headers must tile the file exactly as the directory says: same names, no hidden entries
 * between them, nothing before the directory that it does not list.
 */
function checkLocalHeaders(data: Buffer, entries: readonly ZipEntry[], directoryOffset: number): void {
  const byOffset = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  let expected = 0;
  byOffset.forEach((entry, index) => {
    if (entry.localHeaderOffset !== expected) throw new ZipFormatError('gap or overlap between entries');
    const dataEnd = entryDataStart(data, entry) + entry.compressedSize;
    const next = byOffset[index + 1]?.localHeaderOffset ?? directoryOffset;
    // A data descriptor (crc and both sizes, 4 or 8 bytes each, with or without its signature) may follow the data.
    const gap = next - dataEnd;
    const descriptorFits = (entry.flags & FLAG_DATA_DESCRIPTOR) !== 0 && DATA_DESCRIPTOR_SIZES.includes(gap);
    if (gap !== 0 && !descriptorFits) throw new ZipFormatError('entry does not end where the next begins');
    expected = next;
  });
  if (expected !== directoryOffset) throw new ZipFormatError('no entries before the central directory');
}

/** Where an entry's compressed bytes start; its local header must name the same file as the directory. */
function entryDataStart(data: Buffer, entry: ZipEntry): number {
  const at = entry.localHeaderOffset;
  if (at + LOCAL_HEADER_SIZE > data.length || data.readUInt32LE(at) !== LOCAL_HEADER_SIGNATURE) {
    throw new ZipFormatError('bad local header');
  }
  const nameLength = data.readUInt16LE(at + 26);
  const extraLength = data.readUInt16LE(at + 28);
  const nameStart = at + LOCAL_HEADER_SIZE;
  const flags = data.readUInt16LE(at + 6);
  const name = data.toString((flags & FLAG_UTF8_NAME) !== 0 ? 'utf8' : 'latin1', nameStart, nameStart + nameLength);
  if (name !== entry.name) throw new ZipFormatError('local header names another file');
  return nameStart + nameLength + extraLength;
}

/** The entries of a zip, from its central directory; throws on a damaged or inconsistent zip, or a name twice. */
export function readZipDirectory(data: Buffer): ZipEntry[] {
  const entries = readEntries(data, locateCentralDirectory(data));
  if (firstDuplicate(entries.map((entry) => entry.name)) !== undefined) throw new ZipFormatError('duplicate entry');
  return entries;
}

/** One entry's content, inflated with a hard cap; for the small parts a reader needs whole. */
export function readZipEntry(data: Buffer, entry: ZipEntry, maxBytes: number): Buffer {
  if (entry.uncompressedSize > maxBytes) throw new RangeError(`${entry.name} is larger than ${maxBytes} bytes`);
  const start = entryDataStart(data, entry);
  const compressed = data.subarray(start, start + entry.compressedSize);
  if (entry.method === METHOD_STORED) return compressed;
  if (entry.method !== METHOD_DEFLATED) throw new ZipFormatError(`compression method ${entry.method}`);
  return inflateRawSync(compressed, { maxOutputLength: Math.max(maxBytes, 1) });
}

/** An entry holds more (or other) data than the central directory declares: a zip bomb, or a damaged file. */
export class ZipEntrySizeError extends Error {
  constructor(readonly entryName: string) {
    super(`${entryName} does not hold the size it declares`);
    this.name = 'ZipEntrySizeError';
  }
}

/**
 * zlib's default. Each chunk a parser takes becomes a batch of rows alive at once; small batches die young, which
 * kept a 50,000-row read near 190 MB where 64 KB chunks let it swing between 140 and 280 MB.
 */
const ENTRY_CHUNK_BYTES = 16 * 1024;

/**
 * One entry's content as a stream of chunks, inflated only as fast as it is consumed. The central directory's
 * sizes are only what the file claims, so this stops with ZipEntrySizeError at the first byte past the declared
 * size: a file that lies about its sizes cannot make a parser inflate it without limit.
 */
export async function* inflateZipEntry(data: Buffer, entry: ZipEntry): AsyncGenerator<Buffer> {
  const start = entryDataStart(data, entry);
  const compressed = data.subarray(start, start + entry.compressedSize);
  if (entry.method === METHOD_STORED) {
    if (entry.compressedSize !== entry.uncompressedSize) throw new ZipEntrySizeError(entry.name);
    for (let at = 0; at < compressed.length; at += ENTRY_CHUNK_BYTES) {
      yield compressed.subarray(at, at + ENTRY_CHUNK_BYTES);
    }
    return;
  }
  if (entry.method !== METHOD_DEFLATED) throw new ZipFormatError(`compression method ${entry.method}`);
  const inflater = createInflateRaw({ chunkSize: ENTRY_CHUNK_BYTES });
  inflater.end(compressed);
  let length = 0;
  try {
    for await (const chunk of inflater as AsyncIterable<Buffer>) {
      length += chunk.length;
      if (length > entry.uncompressedSize) throw new ZipEntrySizeError(entry.name);
      yield chunk;
    }
  } finally {
    inflater.destroy();
  }
  if (length !== entry.uncompressedSize) throw new ZipEntrySizeError(entry.name);
}
