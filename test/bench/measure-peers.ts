/**
 * Our report writer and reader beside two well-known libraries, one implementation per process so each peak RSS
 * is that implementation's alone (each process imports only what it runs):
 *   tsx test/bench/measure-peers.ts write <ours|exceljsInMemory|sheetjs> ROWS
 *   tsx test/bench/measure-peers.ts read <ours|exceljsStream|sheetjs> FILE
 * Prints one JSON line: { rows, seconds, peakRssMb }.
 *
 * Fair by construction: every writer gets the same rows (fixtures.ts's benchRows) and writes the same cells (the
 * report's header and the seven columns MNsure fills, dates as dates) into a compressed .xlsx; every reader gets the
 * same file and returns, per referral row, the values ours extracts (referral id, contact made, contact date,
 * resolution, comments). What each does beyond that is in the README's benchmark section.
 */
import { readFileSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import type { ReportRow } from '../../shared/domain/report-sheet';
import { REPORT_COLUMNS, REPORT_SHEET_NAME } from '../../shared/domain/report-sheet';
import { BENCH_IDENTITY, benchRows } from './fixtures';

type Cell = string | Date | null;

/** A report row's cells, left to right, as every writer writes them. */
function cellsOf(row: ReportRow): Cell[] {
  const values: Record<string, Cell> = {
    ...row,
    referredOn: new Date(`${row.referredOn}T00:00:00Z`),
    assisterType: row.assisterType === 'navigator' ? 'Navigator' : 'Broker',
  };
  return REPORT_COLUMNS.map((column) => values[column.key] ?? null);
}

const HEADER = REPORT_COLUMNS.map((column) => column.header);

type Run<A> = (arg: A) => Promise<number>;

async function writeOurs(): Promise<Run<number>> {
  const { writeReportWorkbook } = await import('../../shared/reports/report-workbook.js');
  return async (count) => {
    let bytes = 0;
    // Bytes are counted and dropped, as they would stream to S3.
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        done();
      },
    });
    const { rowCount } = await writeReportWorkbook(
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
    if (rowCount !== count || bytes === 0) throw new Error('the report was not written');
    return rowCount;
  };
}

async function writeExcelJsInMemory(): Promise<Run<number>> {
  const { default: ExcelJS } = await import('exceljs');
  return async (count) => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet(REPORT_SHEET_NAME);
    sheet.addRow(HEADER);
    for (const row of benchRows(count)) sheet.addRow(cellsOf(row));
    const buffer = await workbook.xlsx.writeBuffer();
    if (buffer.byteLength === 0) throw new Error('the workbook was not written');
    return sheet.rowCount - 1;
  };
}

async function writeSheetJs(): Promise<Run<number>> {
  const XLSX = await import('xlsx');
  return async (count) => {
    const rows: Cell[][] = [HEADER];
    for (const row of benchRows(count)) rows.push(cellsOf(row));
    const workbook = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(workbook, XLSX.utils.aoa_to_sheet(rows, { cellDates: true }), REPORT_SHEET_NAME);
    // Compressed, as the other two write: an uncompressed .xlsx of 50,000 rows is several times the size.
    const buffer = XLSX.write(workbook, { type: 'buffer', bookType: 'xlsx', compression: true }) as Buffer;
    if (buffer.length === 0) throw new Error('the workbook was not written');
    return rows.length - 1;
  };
}

/** What every reader returns per referral row: the values ours extracts. */
interface Extracted {
  referralId: unknown;
  contactMade: unknown;
  contactDate: unknown;
  resolution: unknown;
  comments: unknown;
}

const EXTRACTED = ['referralId', 'contactMade', 'contactDate', 'resolution', 'comments'] as const;

/** The peers are told where each column is (0-based); ours finds them by header, as ingest must. */
function columnIndex(key: (typeof EXTRACTED)[number]): number {
  return REPORT_COLUMNS.findIndex((column) => column.key === key);
}

async function readOurs(): Promise<Run<Buffer>> {
  const { readReturnedWorkbook } = await import('../../shared/reports/report-reader.js');
  const { rowCapFor } = await import('../../shared/reports/sheet-cells.js');
  return async (data) => {
    const workbook = await readReturnedWorkbook(data, { maxRows: rowCapFor(50_000) });
    if (workbook.problems.length > 0) throw new Error(workbook.problems[0]!.rule);
    return workbook.rows.length;
  };
}

async function readExcelJsStream(): Promise<Run<Buffer>> {
  const { default: ExcelJS } = await import('exceljs');
  return async (data) => {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([data]), {
      sharedStrings: 'cache',
      hyperlinks: 'ignore',
      styles: 'cache',
      worksheets: 'emit',
      entries: 'ignore',
    });
    const columns = EXTRACTED.map((key) => [key, columnIndex(key) + 1] as const);
    const rows: Extracted[] = [];
    for await (const sheet of reader) {
      // The returned sheet's first worksheet is the Referrals sheet (the bench's file has no Instructions sheet).
      for await (const row of sheet as AsyncIterable<import('exceljs').Row>) {
        if (row.number === 1) continue;
        const values = Object.fromEntries(columns.map(([key, column]) => [key, row.getCell(column).value]));
        rows.push(values as unknown as Extracted);
      }
      break;
    }
    return rows.length;
  };
}

async function readSheetJs(): Promise<Run<Buffer>> {
  const XLSX = await import('xlsx');
  return async (data) => {
    const workbook = XLSX.read(data, { type: 'buffer', cellDates: true, dense: true, sheets: REPORT_SHEET_NAME });
    const sheet = workbook.Sheets[REPORT_SHEET_NAME];
    if (!sheet) throw new Error('no Referrals sheet');
    // dense: true keeps the sheet as an array of rows of cells, the library's fastest layout.
    type Dense = ({ v?: unknown } | undefined)[][];
    // xlsx 0.18 keeps the rows on the sheet itself; later versions under '!data'.
    const dense = (sheet as unknown as { '!data'?: Dense })['!data'] ?? (sheet as unknown as Dense);
    const columns = EXTRACTED.map((key) => [key, columnIndex(key)] as const);
    const rows: Extracted[] = [];
    for (let r = 1; r < dense.length; r++) {
      const cells = dense[r] ?? [];
      rows.push(Object.fromEntries(columns.map(([key, c]) => [key, cells[c]?.v ?? null])) as unknown as Extracted);
    }
    return rows.length;
  };
}

// Each loads its modules before the clock starts: the figures are the work, not the imports.
const WRITERS: Record<string, () => Promise<Run<number>>> = {
  ours: writeOurs,
  exceljsInMemory: writeExcelJsInMemory,
  sheetjs: writeSheetJs,
};
const READERS: Record<string, () => Promise<Run<Buffer>>> = {
  ours: readOurs,
  exceljsStream: readExcelJsStream,
  sheetjs: readSheetJs,
};

async function main(): Promise<void> {
  const [what, who, arg] = process.argv.slice(2);
  const write = what === 'write' ? await WRITERS[who!]?.() : undefined;
  const read = what === 'read' ? await READERS[who!]?.() : undefined;
  if (!write && !read) throw new Error('usage: measure-peers.ts write|read IMPLEMENTATION ROWS|FILE');
  const input = read ? readFileSync(arg!) : undefined;
  const start = process.hrtime.bigint();
  const rows = write ? await write(Number(arg)) : await read!(input!);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ rows, seconds: Math.round(seconds * 1000) / 1000, peakRssMb: Math.round(peakRssMb) }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
