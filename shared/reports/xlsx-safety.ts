import { XmlLimitError, xmlElements } from './xml-scanner';
import {
  firstDuplicate,
  FLAG_ENCRYPTED,
  locateCentralDirectory,
  readEntries,
  readZipEntry,
  ZipFormatError,
  type ZipEntry,
} from './zip-directory';

/*
 * A returned report comes from outside: an upload or an email attachment. Before any parser touches it, we read
 * the zip's own bookkeeping (the central directory) and refuse what is too big, a zip bomb, not a workbook, or
 * able to do more than hold data (macros, links to other files). inspectXlsx inflates nothing but the tiny
 * [Content_Types].xml. A reader then takes entries through inflateZipEntry (zip-directory.ts), which holds each to its declared size.
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
