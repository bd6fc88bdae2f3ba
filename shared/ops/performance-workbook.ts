import ExcelJS from 'exceljs';
import type { Performance } from '../domain/performance';
import { COLUMNS, RESOLUTION_COLUMNS, SHARE_COLUMNS, TALLY_COLUMNS, type Column } from './performance-columns';
import { organizationOverallRows, organizationWindowRows, programRows, type FlatRow } from './performance-rows';

export const PERFORMANCE_SHEETS = {
  byOrganization: 'By organization',
  byWindow: 'By window',
  program: 'Program',
} as const;

const BY_ORGANIZATION_COLUMNS: readonly Column[] = [
  COLUMNS.organizationName,
  COLUMNS.organizationId,
  COLUMNS.windowStart,
  COLUMNS.windowEnd,
  COLUMNS.leads,
  ...TALLY_COLUMNS,
  ...SHARE_COLUMNS,
  ...RESOLUTION_COLUMNS,
];

const BY_WINDOW_COLUMNS: readonly Column[] = [
  COLUMNS.window,
  COLUMNS.windowStart,
  COLUMNS.windowEnd,
  COLUMNS.dueDate,
  COLUMNS.organizationName,
  COLUMNS.organizationId,
  COLUMNS.leads,
  COLUMNS.report,
  COLUMNS.receivedOn,
  COLUMNS.overdue,
  ...SHARE_COLUMNS,
  ...RESOLUTION_COLUMNS,
];

const PROGRAM_COLUMNS: readonly Column[] = [
  COLUMNS.window,
  COLUMNS.windowStart,
  COLUMNS.windowEnd,
  COLUMNS.dueDate,
  COLUMNS.leads,
  COLUMNS.unrouted,
  ...TALLY_COLUMNS,
  ...SHARE_COLUMNS,
  ...RESOLUTION_COLUMNS,
];

const PERCENT_FORMAT = '0.0%';
const DATE_FORMAT = 'yyyy-mm-dd';
const HEADER_STYLE: Partial<ExcelJS.Style> = {
  font: { bold: true },
  fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9D9D9' } },
  alignment: { wrapText: true, vertical: 'top' },
};

function excelValue(column: Column, row: FlatRow): ExcelJS.CellValue {
  const value = column.value(row);
  if (value === undefined) return null;
  // Date columns hold real dates (midnight UTC, which exceljs stores as that calendar day).
  if (column.kind === 'date' && typeof value === 'string') return new Date(`${value}T00:00:00Z`);
  return value;
}

function addSheet(workbook: ExcelJS.Workbook, name: string, columns: readonly Column[], rows: readonly FlatRow[]) {
  const sheet = workbook.addWorksheet(name, {
    views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
  });
  sheet.columns = columns.map((column) => ({
    width: column.width,
    ...(column.kind === 'percent' && { style: { numFmt: PERCENT_FORMAT } }),
    ...(column.kind === 'date' && { style: { numFmt: DATE_FORMAT } }),
  }));
  const header = sheet.addRow(columns.map((column) => column.header));
  header.eachCell((cell) => {
    cell.style = HEADER_STYLE;
  });
  for (const row of rows) {
    // Text stays a string cell whatever it starts with: exceljs writes a formula only for a { formula } value.
    sheet.addRow(columns.map((column) => excelValue(column, row)));
  }
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: rows.length + 1, column: columns.length } };
}

/** The figures as an .xlsx: "By organization" (all windows), "By window" (organization × window) and "Program". */
export async function performanceWorkbook(p: Performance): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'MNsure Preferred Assister Lead program';
  addSheet(workbook, PERFORMANCE_SHEETS.byOrganization, BY_ORGANIZATION_COLUMNS, organizationOverallRows(p));
  addSheet(workbook, PERFORMANCE_SHEETS.byWindow, BY_WINDOW_COLUMNS, organizationWindowRows(p));
  addSheet(workbook, PERFORMANCE_SHEETS.program, PROGRAM_COLUMNS, programRows(p));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
