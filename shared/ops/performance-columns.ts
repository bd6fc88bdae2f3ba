import { RESOLUTION_CATEGORIES, shareValue, type Share } from '../domain/performance';
import { CONTACTED_HEADER, REPORT_STATE_LABELS, resolutionCount, type FlatRow } from './performance-rows';

/** The columns the CSV and the workbook pick from: each a header, a kind, a width and how to read it from a row. */

export type CellKind = 'text' | 'date' | 'count' | 'percent';
export type CellValue = string | number | undefined;

export interface Column {
  readonly header: string;
  readonly kind: CellKind;
  /** Spreadsheet width in characters. */
  readonly width: number;
  /** Text for text and date columns, a number for counts, a fraction (0–1) for percentages; undefined: empty. */
  readonly value: (row: FlatRow) => CellValue;
}

function percentOf(share: Share | undefined): number | undefined {
  return share === undefined ? undefined : shareValue(share);
}

export const COLUMNS = {
  scope: { header: 'Scope', kind: 'text', width: 13, value: (r) => r.scope },
  window: { header: 'Window', kind: 'text', width: 23, value: (r) => r.window },
  windowStart: { header: 'Window start', kind: 'date', width: 12, value: (r) => r.windowStart },
  windowEnd: { header: 'Window end', kind: 'date', width: 12, value: (r) => r.windowEnd },
  dueDate: { header: 'Report due', kind: 'date', width: 12, value: (r) => r.dueDate },
  organizationId: { header: 'Organization ID', kind: 'text', width: 30, value: (r) => r.organizationId },
  organizationName: { header: 'Organization', kind: 'text', width: 36, value: (r) => r.organizationName },
  leads: { header: 'Leads', kind: 'count', width: 8, value: (r) => r.figures.leads },
  unrouted: { header: 'Unrouted referrals', kind: 'count', width: 11, value: (r) => r.unroutedReferrals },
  report: {
    header: 'Report',
    kind: 'text',
    width: 20,
    value: (r) => (r.report ? REPORT_STATE_LABELS[r.report.state] : undefined),
  },
  receivedOn: { header: 'Received on', kind: 'date', width: 12, value: (r) => r.report?.receivedOn },
  overdue: {
    header: 'Overdue',
    kind: 'text',
    width: 9,
    value: (r) => (r.report ? (r.report.overdue ? 'Y' : 'N') : undefined),
  },
  reportsSent: { header: 'Reports sent', kind: 'count', width: 9, value: (r) => r.reports.sent },
  reportsOnTime: { header: 'Reports on time', kind: 'count', width: 9, value: (r) => r.reports.onTime },
  reportsLate: { header: 'Reports late', kind: 'count', width: 9, value: (r) => r.reports.late },
  reportsIncomplete: { header: 'Reports incomplete', kind: 'count', width: 11, value: (r) => r.reports.incomplete },
  reportsNotReturned: { header: 'Reports not returned', kind: 'count', width: 11, value: (r) => r.reports.notReturned },
  reportsOverdue: { header: 'Reports overdue', kind: 'count', width: 9, value: (r) => r.reports.overdue },
  contacted: {
    header: CONTACTED_HEADER,
    kind: 'count',
    width: 14,
    value: (r) => r.figures.shares?.contactedWithinTwoBusinessDays.numerator,
  },
  contactedShare: {
    header: `${CONTACTED_HEADER} (%)`,
    kind: 'percent',
    width: 14,
    value: (r) => percentOf(r.figures.shares?.contactedWithinTwoBusinessDays),
  },
  appointmentShare: {
    header: 'Appointment scheduled (%)',
    kind: 'percent',
    width: 13,
    value: (r) => percentOf(r.figures.shares?.appointmentScheduled),
  },
  unableShare: {
    header: 'Unable to contact (%)',
    kind: 'percent',
    width: 11,
    value: (r) => percentOf(r.figures.shares?.unableToContact),
  },
} satisfies Record<string, Column>;

export const RESOLUTION_COLUMNS: readonly Column[] = RESOLUTION_CATEGORIES.map((resolution) => ({
  header: resolution,
  kind: 'count',
  width: Math.max(10, Math.min(24, resolution.length)),
  value: (r) => resolutionCount(r.figures, resolution),
}));

/** The appointment and unable-to-contact counts are resolution columns already; only their shares are added. */
export const SHARE_COLUMNS: readonly Column[] = [
  COLUMNS.contacted,
  COLUMNS.contactedShare,
  COLUMNS.appointmentShare,
  COLUMNS.unableShare,
];

export const TALLY_COLUMNS: readonly Column[] = [
  COLUMNS.reportsSent,
  COLUMNS.reportsOnTime,
  COLUMNS.reportsLate,
  COLUMNS.reportsIncomplete,
  COLUMNS.reportsNotReturned,
  COLUMNS.reportsOverdue,
];
