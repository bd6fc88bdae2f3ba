import { createInflateRaw, inflateRawSync } from 'node:zlib';

/*
 * A zip's own bookkeeping, read without trusting it: the central directory, the local headers it must agree with, and
 * entries inflated no further than they declare. xlsx-safety.ts judges a returned file on what this reads.
 */

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

export const FLAG_ENCRYPTED = 0x0001;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8_NAME = 0x0800;

const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;

export class ZipFormatError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ZipFormatError';
  }
}

/**
 * Part names are compared without regard to ASCII case (Open Packaging Conventions): a zip holding two copies of a
 * name would let one reader take the first and another the last, so the file is refused.
 */
export function firstDuplicate(names: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const name of names) {
    const key = name.toLowerCase();
    if (seen.has(key)) return name;
    seen.add(key);
  }
  return undefined;
}

export interface CentralDirectory {
  readonly entryCount: number;
  readonly offset: number;
  readonly size: number;
}

/** Finds the End Of Central Directory record (and its ZIP64 form), scanning back over at most a 64 KB comment. */
export function locateCentralDirectory(data: Buffer): CentralDirectory {
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

export function readEntries(data: Buffer, directory: CentralDirectory): ZipEntry[] {
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
