import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { ReportIdentity, ReportRow } from '../../shared/domain/report-sheet';
import { RESOLUTIONS } from '../../shared/domain/outcome';
import { IDENTITY_SHEET_NAME, REPORT_COLUMNS, REPORT_SHEET_NAME } from '../../shared/domain/report-sheet';
import { signReportIdentity } from '../../shared/domain/report-signature';

export const BENCH_SECRET = Buffer.from('bench-secret-bench-secret-bench-secret');
export const BENCH_IDENTITY: ReportIdentity = {
  reportId: '2017-11-01_2017-11-15.bench-organization',
  organizationId: 'bench-organization',
  windowId: '2017-11-01_2017-11-15',
  version: 1,
};

export function referralIdOf(i: number): string {
  return `ref_${i
    .toString(32)
    .padStart(26, 'a')
    .replace(/[01891]/g, 'b')}`;
}

export function* benchRows(count: number): Generator<ReportRow> {
  for (let i = 0; i < count; i++) {
    yield {
      referralId: referralIdOf(i),
      referredOn: `2017-11-${String(1 + (i % 15)).padStart(2, '0')}`,
      consumerName: `Consumer ${i} Example`,
      phone: `(612) 555-${String(i % 10000).padStart(4, '0')}`,
      countyName: 'Hennepin',
      assisterType: 'navigator',
      reason: 'Help applying for coverage: needs help with the application',
    };
  }
}

/**
 * A returned sheet as an organization sends it: the report's layout with every row filled in,
 * written with exceljs's streaming writer so 50,000 rows are cheap to make.
 */
export async function filledReturnedSheet(count: number): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: true });
  const sheet = workbook.addWorksheet(REPORT_SHEET_NAME);
  sheet.addRow(REPORT_COLUMNS.map((c) => c.header)).commit();
  let i = 0;
  for (const row of benchRows(count)) {
    const contacted = i % 5 !== 0;
    const values: Record<string, unknown> = {
      ...row,
      referredOn: new Date(`${row.referredOn}T00:00:00Z`),
      contactMade: contacted ? 'Y' : 'N',
      contactDate: contacted ? new Date(Date.UTC(2017, 10, 16 + (i % 5))) : null,
      resolution: contacted ? RESOLUTIONS[i % 4]! : 'Unable to contact',
      comments: i % 3 === 0 ? 'Called twice; left a voicemail' : null,
    };
    sheet.addRow(REPORT_COLUMNS.map((c) => values[c.key] ?? null)).commit();
    i++;
  }
  sheet.commit();
  const identity = workbook.addWorksheet(IDENTITY_SHEET_NAME, { state: 'veryHidden' });
  for (const pair of [
    ['reportId', BENCH_IDENTITY.reportId],
    ['organizationId', BENCH_IDENTITY.organizationId],
    ['windowId', BENCH_IDENTITY.windowId],
    ['version', BENCH_IDENTITY.version],
    ['signature', signReportIdentity(BENCH_IDENTITY, BENCH_SECRET)],
  ]) {
    identity.addRow(pair).commit();
  }
  identity.commit();
  await workbook.commit();
  return Buffer.concat(chunks);
}
