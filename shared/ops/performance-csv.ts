import type { Performance } from '../domain/performance';
import { toCsv } from '../format/csv';
import { COLUMNS, RESOLUTION_COLUMNS, SHARE_COLUMNS, TALLY_COLUMNS, type Column } from './performance-columns';
import { ALL_WINDOWS, organizationWindowRows, programRows, type FlatRow } from './performance-rows';

/** Every figure of every row: the CSV's columns. */
const CSV_COLUMNS: readonly Column[] = [
  COLUMNS.scope,
  COLUMNS.window,
  COLUMNS.windowStart,
  COLUMNS.windowEnd,
  COLUMNS.dueDate,
  COLUMNS.organizationId,
  COLUMNS.organizationName,
  COLUMNS.leads,
  COLUMNS.report,
  COLUMNS.receivedOn,
  COLUMNS.overdue,
  ...TALLY_COLUMNS,
  ...SHARE_COLUMNS,
  ...RESOLUTION_COLUMNS,
  COLUMNS.unrouted,
];

function csvCell(column: Column, row: FlatRow): string | number | undefined {
  const value = column.value(row);
  // Percentages as numbers with one decimal, so a spreadsheet can sort them; counts as they are.
  if (typeof value === 'number' && column.kind === 'percent') return (value * 100).toFixed(1);
  // Names come from the directory, which anyone with admin access edits: toCsv never lets one run as a formula.
  return value;
}

/**
 * RFC 4180 CSV (CRLF line ends, a header row): one row per organization and window, each window followed by the
 * program's row for it, then the program's row for all windows. Counts sit beside their percentages; the
 * denominator of every percentage is Leads, and a percentage is empty where there were no leads.
 */
export function performanceCsv(p: Performance): string {
  const programByWindow = new Map(programRows(p).map((row) => [row.window, row]));
  const byWindow = organizationWindowRows(p);
  const rows: FlatRow[] = [];
  for (const window of p.windows) {
    rows.push(...byWindow.filter((row) => row.window === window.id));
    const program = programByWindow.get(window.id);
    if (program) rows.push(program);
  }
  const overall = programByWindow.get(ALL_WINDOWS);
  if (overall) rows.push(overall);

  return toCsv([
    CSV_COLUMNS.map((column) => column.header),
    ...rows.map((row) => CSV_COLUMNS.map((column) => csvCell(column, row))),
  ]);
}
