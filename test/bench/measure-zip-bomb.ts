/**
 * How long inspectXlsx takes to refuse a zip bomb, in its own process:
 *   tsx test/bench/measure-zip-bomb.ts
 * Prints one JSON line: { zipBytes, inflatesToBytes, rule, ms, maxMs, runs, peakRssMb }.
 *
 * The bomb is built here, as test/unit/xlsx-safety.test.ts builds its own: a workbook's two required
 * parts, a sheet entry whose raw deflate stream really inflates to 400 MB of zeros (4 MB of zeros
 * deflated with a sync flush, repeated: each piece's back-references reach only zeros), and an
 * incompressible picture that brings the file to about 1 MB. Its central directory declares the true
 * sizes, as a zip tool writes them. `ms` is the median over `runs` calls of inspectXlsx on the bytes in
 * memory (the refusal itself, not reading the file); each call must refuse it as a zip bomb.
 */
import { randomBytes } from 'node:crypto';
import { constants, crc32, deflateRawSync } from 'node:zlib';
import { inspectXlsx } from '../../shared/reports/xlsx-safety';

const MB = 1024 * 1024;
const BOMB_SIZE = 400 * MB;
const BOMB_CHUNK = 4 * MB;
const RUNS = 25;

interface Entry {
  name: string;
  deflated: Buffer;
  crc: number;
  size: number;
}

function entryOf(name: string, content: Buffer): Entry {
  return { name, deflated: deflateRawSync(content), crc: crc32(content), size: content.length };
}

function zeroBomb(): Entry {
  const zeros = Buffer.alloc(BOMB_CHUNK);
  const piece = deflateRawSync(zeros, { finishFlush: constants.Z_SYNC_FLUSH });
  const deflated = Buffer.concat([...Array<Buffer>(BOMB_SIZE / BOMB_CHUNK).fill(piece), Buffer.from([0x03, 0x00])]);
  let crc = 0;
  for (let i = 0; i < BOMB_SIZE / BOMB_CHUNK; i += 1) crc = crc32(zeros, crc);
  return { name: 'xl/worksheets/sheet1.xml', deflated, crc, size: BOMB_SIZE };
}

function zip(entries: Entry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(entry.crc, 14);
    local.writeUInt32LE(entry.deflated.length, 18);
    local.writeUInt32LE(entry.size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(entry.crc, 16);
    central.writeUInt32LE(entry.deflated.length, 20);
    central.writeUInt32LE(entry.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, entry.deflated);
    centrals.push(central, name);
    offset += local.length + name.length + entry.deflated.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

function main(): void {
  const contentTypes =
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>';
  const bomb = zeroBomb();
  const parts = [
    entryOf('[Content_Types].xml', Buffer.from(contentTypes)),
    entryOf('xl/workbook.xml', Buffer.from('<workbook/>')),
    bomb,
  ];
  const padding = MB - parts.reduce((sum, p) => sum + p.deflated.length, 0) - 1024;
  const file = zip([...parts, entryOf('xl/media/image1.png', randomBytes(Math.max(0, padding)))]);

  const times: number[] = [];
  let rule = '';
  for (let i = 0; i < RUNS; i++) {
    const started = process.hrtime.bigint();
    const result = inspectXlsx(file);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (result.ok || result.rule !== 'zip-bomb')
      throw new Error(`not refused as a zip bomb: ${JSON.stringify(result)}`);
    rule = result.rule;
  }
  times.sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      zipBytes: file.length,
      inflatesToBytes: BOMB_SIZE,
      rule,
      ms: Math.round(times[Math.floor(RUNS / 2)]! * 1000) / 1000,
      maxMs: Math.round(times.at(-1)! * 1000) / 1000,
      runs: RUNS,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}

main();
