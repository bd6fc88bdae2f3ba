/**
 * One measurement in its own process, so peak RSS is this work's alone:
 *   tsx test/bench/measure-report.ts build 10000
 *   tsx test/bench/measure-report.ts sheet 10000 FILE     (makes a filled returned sheet; not measured)
 *   tsx test/bench/measure-report.ts ingest FILE
 *   tsx test/bench/measure-report.ts baseline            (the process with the modules loaded, doing nothing)
 * Prints one JSON line: { rows, seconds, peakRssMb }.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { validateReturnedRow } from '../../shared/domain/report-sheet';
import { verifyReportIdentity } from '../../shared/domain/report-signature';
import { readReturnedWorkbook } from '../../shared/reports/report-reader';
import { writeReportWorkbook } from '../../shared/reports/report-workbook';
import { rowCapFor } from '../../shared/reports/sheet-cells';
import { inspectXlsx } from '../../shared/reports/xlsx-safety';
import { BENCH_IDENTITY, BENCH_SECRET, benchRows, filledReturnedSheet } from './fixtures';

async function build(count: number): Promise<number> {
  let bytes = 0;
  // Bytes are counted and dropped, as they would stream to S3: the writer's own memory is measured.
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done();
    },
  });
  const result = await writeReportWorkbook(
    {
      identity: BENCH_IDENTITY,
      signature: 'x'.repeat(43),
      organizationName: 'Bench Organization',
      window: { start: '2017-11-01', end: '2017-11-15', sendDate: '2017-11-22', dueDate: '2017-11-29' },
      programContact: 'assisterleads@mnsure.example.org',
      returnInstructions: { uploadUrl: 'https://reports.example.org/upload', replyTo: 'returns@example.org' },
      rows: benchRows(count),
      generatedAt: new Date(),
    },
    sink,
  );
  if (result.rowCount !== count || bytes === 0) throw new Error('the report was not written');
  return count;
}

async function ingest(data: Buffer): Promise<number> {
  const check = inspectXlsx(data);
  if (!check.ok) throw new Error(`refused: ${check.rule}`);
  // As ingest reads it: capped at the rows the bench's largest report (50,000 referrals) may hold.
  const workbook = await readReturnedWorkbook(data, { maxRows: rowCapFor(50_000) });
  if (workbook.rows.length === 0) throw new Error(`no rows read: ${workbook.problems[0]?.rule ?? 'none'}`);
  if (
    !workbook.identity ||
    !verifyReportIdentity(workbook.identity.identity, workbook.identity.signature, BENCH_SECRET)
  ) {
    throw new Error('identity not found');
  }
  let valid = 0;
  for (const row of workbook.rows) {
    if (validateReturnedRow(row, { referredOn: '2017-11-01', today: '2017-11-27' }).ok) valid++;
  }
  if (valid !== workbook.rows.length) throw new Error(`${workbook.rows.length - valid} rows refused`);
  return valid;
}

async function main(): Promise<void> {
  const [what, arg, file] = process.argv.slice(2);
  if (what === 'sheet') {
    writeFileSync(file!, await filledReturnedSheet(Number(arg)));
    return;
  }
  const input = what === 'ingest' ? readFileSync(arg!) : undefined;
  const start = process.hrtime.bigint();
  const rows = what === 'build' ? await build(Number(arg)) : what === 'ingest' ? await ingest(input!) : 0;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ rows, seconds: Math.round(seconds * 1000) / 1000, peakRssMb: Math.round(peakRssMb) }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
