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
import type { ZipEntry } from './zip-bytes';
import { zipEntryOf, zipOfEntries } from './zip-bytes';

const MB = 1024 * 1024;
const BOMB_SIZE = 400 * MB;
const BOMB_CHUNK = 4 * MB;
const RUNS = 25;

function zeroBomb(): ZipEntry {
  const zeros = Buffer.alloc(BOMB_CHUNK);
  const piece = deflateRawSync(zeros, { finishFlush: constants.Z_SYNC_FLUSH });
  const deflated = Buffer.concat([...Array<Buffer>(BOMB_SIZE / BOMB_CHUNK).fill(piece), Buffer.from([0x03, 0x00])]);
  let crc = 0;
  for (let i = 0; i < BOMB_SIZE / BOMB_CHUNK; i += 1) crc = crc32(zeros, crc);
  return { name: 'xl/worksheets/sheet1.xml', deflated, crc, size: BOMB_SIZE };
}

function main(): void {
  const contentTypes =
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>';
  const bomb = zeroBomb();
  const parts = [
    zipEntryOf('[Content_Types].xml', Buffer.from(contentTypes)),
    zipEntryOf('xl/workbook.xml', Buffer.from('<workbook/>')),
    bomb,
  ];
  const padding = MB - parts.reduce((sum, p) => sum + p.deflated.length, 0) - 1024;
  const file = zipOfEntries([...parts, zipEntryOf('xl/media/image1.png', randomBytes(Math.max(0, padding)))]);

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
