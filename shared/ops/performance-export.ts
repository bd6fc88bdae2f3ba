import ExcelJS from 'exceljs';
import type { IsoDate } from '../domain/minnesota-time';
import {
  CONTACT_BUSINESS_DAYS,
  NO_OUTCOME_YET,
  RESOLUTION_CATEGORIES,
  shareValue,
  type LeadFigures,
  type Performance,
  type ReportReturn,
  type ReportReturnState,
  type ReportTally,
  type ResolutionOrNone,
  type Share,
} from '../domain/performance';
import { neutralizeFormulaText } from '../format/formula-text';
import type { ReportingWindow } from '../domain/reporting-calendar';

/*
 * The performance figures in the three shapes ops asks for: CSV for anyone's spreadsheet, an .xlsx with one sheet per
 * view, and a self-contained HTML page with tables and bar charts. All three read the same flat rows below, so a
 * figure cannot differ between them.
 */

/** One line of any view: an organization in a window or overall, or the program in a window or overall. */
interface FlatRow {
  readonly scope: 'Organization' | 'Program';
  /** Window id, or ALL_WINDOWS. */
  readonly window: string;
  readonly windowStart?: IsoDate;
  readonly windowEnd?: IsoDate;
  readonly dueDate?: IsoDate;
  readonly organizationId?: string;
  readonly organizationName?: string;
  readonly figures: LeadFigures;
  /** The single report of an organization in a window. */
  readonly report?: ReportReturn;
  readonly reports: ReportTally;
  readonly unroutedReferrals?: number;
}

const ALL_WINDOWS = 'All windows';

const REPORT_STATE_LABELS: Readonly<Record<ReportReturnState, string>> = {
  'on-time': 'Returned on time',
  late: 'Returned late',
  incomplete: 'Returned incomplete',
  'not-returned': 'Not returned',
};

const NO_REPORTS: ReportTally = { sent: 0, onTime: 0, late: 0, incomplete: 0, notReturned: 0, overdue: 0 };

function tallyOf(report: ReportReturn | undefined): ReportTally {
  if (!report) return NO_REPORTS;
  return {
    sent: 1,
    onTime: report.state === 'on-time' ? 1 : 0,
    late: report.state === 'late' ? 1 : 0,
    incomplete: report.state === 'incomplete' ? 1 : 0,
    notReturned: report.state === 'not-returned' ? 1 : 0,
    overdue: report.overdue ? 1 : 0,
  };
}

function windowFields(window: ReportingWindow) {
  return { window: window.id, windowStart: window.start, windowEnd: window.end, dueDate: window.dueDate };
}

/** The whole span the windows cover, for the "All windows" rows. */
function spanFields(windows: readonly ReportingWindow[]) {
  const first = windows[0];
  const last = windows[windows.length - 1];
  return {
    window: ALL_WINDOWS,
    ...(first && { windowStart: first.start }),
    ...(last && { windowEnd: last.end }),
  };
}

/** Organization × window rows, window by window, organizations in the order Performance gives them. */
function organizationWindowRows(p: Performance): FlatRow[] {
  return p.windows.flatMap((window, index) =>
    p.organizations.flatMap((org) => {
      const entry = org.windows[index];
      if (!entry) return [];
      return [
        {
          scope: 'Organization' as const,
          ...windowFields(window),
          organizationId: org.organizationId,
          organizationName: org.organizationName,
          figures: entry,
          ...(entry.report && { report: entry.report }),
          reports: tallyOf(entry.report),
        },
      ];
    }),
  );
}

function organizationOverallRows(p: Performance): FlatRow[] {
  return p.organizations.map((org) => ({
    scope: 'Organization',
    ...spanFields(p.windows),
    organizationId: org.organizationId,
    organizationName: org.organizationName,
    figures: org.overall,
    reports: org.overall.reports,
  }));
}

function programRows(p: Performance): FlatRow[] {
  const perWindow = p.windows.flatMap((window, index) => {
    const entry = p.program.windows[index];
    if (!entry) return [];
    return [
      {
        scope: 'Program' as const,
        ...windowFields(window),
        figures: entry,
        reports: entry.reports,
        unroutedReferrals: entry.unroutedReferrals,
      },
    ];
  });
  const overall = p.program.overall;
  return [
    ...perWindow,
    {
      scope: 'Program',
      ...spanFields(p.windows),
      figures: overall,
      reports: overall.reports,
      unroutedReferrals: overall.unroutedReferrals,
    },
  ];
}

type CellKind = 'text' | 'date' | 'count' | 'percent';
type CellValue = string | number | undefined;

interface Column {
  readonly header: string;
  readonly kind: CellKind;
  /** Spreadsheet width in characters. */
  readonly width: number;
  /** Text for text and date columns, a number for counts, a fraction (0–1) for percentages; undefined: empty. */
  readonly value: (row: FlatRow) => CellValue;
}

const CONTACTED_HEADER = `Contacted within ${CONTACT_BUSINESS_DAYS} business days`;

function percentOf(share: Share | undefined): number | undefined {
  return share === undefined ? undefined : shareValue(share);
}

function resolutionCount(figures: LeadFigures, resolution: ResolutionOrNone): number {
  return figures.resolutions.find((entry) => entry.resolution === resolution)?.leads ?? 0;
}

const COLUMNS = {
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

const RESOLUTION_COLUMNS: readonly Column[] = RESOLUTION_CATEGORIES.map((resolution) => ({
  header: resolution,
  kind: 'count',
  width: Math.max(10, Math.min(24, resolution.length)),
  value: (r) => resolutionCount(r.figures, resolution),
}));

/** The appointment and unable-to-contact counts are resolution columns already; only their shares are added. */
const SHARE_COLUMNS: readonly Column[] = [
  COLUMNS.contacted,
  COLUMNS.contactedShare,
  COLUMNS.appointmentShare,
  COLUMNS.unableShare,
];

const TALLY_COLUMNS: readonly Column[] = [
  COLUMNS.reportsSent,
  COLUMNS.reportsOnTime,
  COLUMNS.reportsLate,
  COLUMNS.reportsIncomplete,
  COLUMNS.reportsNotReturned,
  COLUMNS.reportsOverdue,
];

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

// ——— CSV ———

const CSV_NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180: a field holding a comma, a quote or a line break is quoted, its quotes doubled. */
function csvField(text: string): string {
  return CSV_NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvCell(column: Column, row: FlatRow): string {
  const value = column.value(row);
  if (value === undefined) return '';
  if (typeof value === 'number') {
    // Percentages as numbers with one decimal, so a spreadsheet can sort them; counts as they are.
    return column.kind === 'percent' ? (value * 100).toFixed(1) : String(value);
  }
  // Names come from the directory, which anyone with admin access edits: never let one run as a formula.
  return csvField(neutralizeFormulaText(value));
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

  const lines = [
    CSV_COLUMNS.map((column) => csvField(neutralizeFormulaText(column.header))).join(','),
    ...rows.map((row) => CSV_COLUMNS.map((column) => csvCell(column, row)).join(',')),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

// ——— Workbook ———

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

// ——— HTML page ———

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** 2017-11-29 → "Nov 29, 2017". */
function dayText(date: IsoDate): string {
  return `${MONTHS[Number(date.slice(5, 7)) - 1]} ${Number(date.slice(8, 10))}, ${date.slice(0, 4)}`;
}

function percentText(share: Share): string {
  return `${(shareValue(share) * 100).toFixed(0)}%`;
}

/** "3 of 4 (75%)", or an en dash where there were no leads. */
function shareText(share: Share | undefined): string {
  return share === undefined ? '–' : `${share.numerator} of ${share.denominator} (${percentText(share)})`;
}

function reportText(row: FlatRow): string {
  if (!row.report) return row.figures.leads > 0 ? 'Not sent yet' : '–';
  const received = row.report.receivedOn ? ` (${dayText(row.report.receivedOn)})` : '';
  return `${REPORT_STATE_LABELS[row.report.state]}${received}${row.report.overdue ? ', overdue' : ''}`;
}

function tallyText(tally: ReportTally): string {
  if (tally.sent === 0) return '–';
  const parts = [
    `${tally.onTime} on time`,
    `${tally.late} late`,
    ...(tally.incomplete > 0 ? [`${tally.incomplete} incomplete`] : []),
    `${tally.notReturned} not returned`,
    ...(tally.overdue > 0 ? [`${tally.overdue} overdue`] : []),
  ];
  return `${tally.sent} sent: ${parts.join(', ')}`;
}

/** Colors of the resolution breakdown; "Unable to contact" red and "No outcome yet" grey, so both stand out. */
const RESOLUTION_COLORS: Readonly<Record<ResolutionOrNone, string>> = {
  'Eligible for MA': '#4e79a7',
  'Eligible for MinnesotaCare': '#76b7b2',
  'Enrolled in QHP': '#59a14f',
  'Eligible for QHP no enrollment': '#8cd17d',
  'No longer needs assistance': '#edc948',
  'Referred to another certified assister': '#b07aa1',
  'Unable to contact': '#e15759',
  'Assisted with technical issue only': '#f28e2b',
  'Contact made appointment scheduled': '#9c755f',
  [NO_OUTCOME_YET]: '#bab0ac',
};

const CHART_WIDTH = 720;
const CHART_LABEL_WIDTH = 230;
const CHART_BAR_HEIGHT = 18;
const CHART_ROW_HEIGHT = 26;
const CHART_LABEL_CHARACTERS = 32;

function truncated(text: string): string {
  return text.length > CHART_LABEL_CHARACTERS ? `${text.slice(0, CHART_LABEL_CHARACTERS - 1)}…` : text;
}

interface ChartRow {
  readonly label: string;
  readonly figures: LeadFigures;
}

/** Horizontal bars: the share of each organization's leads contacted within two business days. */
function contactChart(id: string, caption: string, rows: readonly ChartRow[]): string {
  const plotWidth = CHART_WIDTH - CHART_LABEL_WIDTH - 110;
  const height = 28 + rows.length * CHART_ROW_HEIGHT;
  const x0 = CHART_LABEL_WIDTH;
  const bars = rows.map((row, index) => {
    const y = 24 + index * CHART_ROW_HEIGHT;
    const share = row.figures.shares?.contactedWithinTwoBusinessDays;
    const barWidth = share === undefined ? 0 : Math.round(shareValue(share) * plotWidth * 10) / 10;
    return (
      `<g><title>${escapeHtml(`${row.label}: ${shareText(share)}`)}</title>` +
      `<text x="${x0 - 8}" y="${y + 13}" text-anchor="end">${escapeHtml(truncated(row.label))}</text>` +
      `<rect x="${x0}" y="${y}" width="${plotWidth}" height="${CHART_BAR_HEIGHT}" fill="#eef1f4"/>` +
      `<rect x="${x0}" y="${y}" width="${barWidth}" height="${CHART_BAR_HEIGHT}" fill="#2f5d8a"/>` +
      `<text x="${x0 + plotWidth + 6}" y="${y + 13}">${escapeHtml(share === undefined ? 'no leads' : `${percentText(share)} of ${share.denominator}`)}</text></g>`
    );
  });
  const grid = [0, 0.5, 1].map((fraction) => {
    const x = x0 + Math.round(fraction * plotWidth * 10) / 10;
    return (
      `<line x1="${x}" y1="20" x2="${x}" y2="${height - 4}" stroke="#999" stroke-dasharray="2 3"/>` +
      `<text x="${x}" y="14" text-anchor="middle" font-size="11">${fraction * 100}%</text>`
    );
  });
  return (
    `<figure><svg xmlns="http://www.w3.org/2000/svg" id="${id}" role="img" aria-label="${escapeHtml(caption)}" ` +
    `width="${CHART_WIDTH}" height="${height}" viewBox="0 0 ${CHART_WIDTH} ${height}" font-size="12">` +
    `<title>${escapeHtml(caption)}</title>${grid.join('')}${bars.join('')}</svg>` +
    `<figcaption>${escapeHtml(caption)}</figcaption></figure>`
  );
}

/** One 100% stacked bar per row: how its leads were resolved, "No outcome yet" included. */
function resolutionChart(id: string, caption: string, rows: readonly ChartRow[]): string {
  const plotWidth = CHART_WIDTH - CHART_LABEL_WIDTH - 20;
  const legendTop = 12 + rows.length * CHART_ROW_HEIGHT;
  const legendRows = Math.ceil(RESOLUTION_CATEGORIES.length / 2);
  const height = legendTop + legendRows * 20 + 8;
  const x0 = CHART_LABEL_WIDTH;
  const bars = rows.map((row, index) => {
    const y = 8 + index * CHART_ROW_HEIGHT;
    let x = x0;
    const segments = row.figures.resolutions
      .filter((entry) => entry.leads > 0)
      .map((entry) => {
        const width = Math.round((entry.leads / row.figures.leads) * plotWidth * 10) / 10;
        const segment =
          `<rect x="${Math.round(x * 10) / 10}" y="${y}" width="${width}" height="${CHART_BAR_HEIGHT}" fill="${RESOLUTION_COLORS[entry.resolution]}">` +
          `<title>${escapeHtml(`${row.label}: ${entry.resolution}, ${entry.leads} of ${row.figures.leads}`)}</title></rect>`;
        x += width;
        return segment;
      });
    return (
      `<g><text x="${x0 - 8}" y="${y + 13}" text-anchor="end">${escapeHtml(truncated(row.label))}</text>` +
      `${row.figures.leads === 0 ? `<text x="${x0}" y="${y + 13}" fill="#666">no leads</text>` : segments.join('')}</g>`
    );
  });
  const legend = RESOLUTION_CATEGORIES.map((resolution, index) => {
    const x = 8 + (index % 2) * (CHART_WIDTH / 2);
    const y = legendTop + Math.floor(index / 2) * 20;
    return (
      `<rect x="${x}" y="${y}" width="12" height="12" fill="${RESOLUTION_COLORS[resolution]}"/>` +
      `<text x="${x + 18}" y="${y + 10}">${escapeHtml(resolution)}</text>`
    );
  });
  return (
    `<figure><svg xmlns="http://www.w3.org/2000/svg" id="${id}" role="img" aria-label="${escapeHtml(caption)}" ` +
    `width="${CHART_WIDTH}" height="${height}" viewBox="0 0 ${CHART_WIDTH} ${height}" font-size="12">` +
    `<title>${escapeHtml(caption)}</title>${bars.join('')}${legend.join('')}</svg>` +
    `<figcaption>${escapeHtml(caption)}</figcaption></figure>`
  );
}

function td(text: string, numeric = false): string {
  return `<td${numeric ? ' class="num"' : ''}>${escapeHtml(text)}</td>`;
}

function resolutionHeaders(): string {
  return RESOLUTION_CATEGORIES.map((r) => `<th scope="col" class="num">${escapeHtml(r)}</th>`).join('');
}

function resolutionCells(figures: LeadFigures): string {
  return RESOLUTION_CATEGORIES.map((r) => td(String(resolutionCount(figures, r)), true)).join('');
}

function sharesCells(figures: LeadFigures): string {
  const shares = figures.shares;
  return (
    td(shareText(shares?.contactedWithinTwoBusinessDays), true) +
    td(shareText(shares?.appointmentScheduled), true) +
    td(shareText(shares?.unableToContact), true)
  );
}

const SHARE_HEADERS =
  `<th scope="col" class="num">${escapeHtml(CONTACTED_HEADER)}</th>` +
  '<th scope="col" class="num">Appointment scheduled</th><th scope="col" class="num">Unable to contact</th>';

function windowSection(p: Performance, window: ReportingWindow): string {
  const rows = organizationWindowRows(p).filter(
    (row) => row.window === window.id && (row.figures.leads > 0 || row.report !== undefined),
  );
  const program = programRows(p).find((row) => row.window === window.id);
  const label = `${dayText(window.start)} – ${dayText(window.end)}`;
  const caption = `Referrals sent ${label}: report sent ${dayText(window.sendDate)}, due ${dayText(window.dueDate)}`;
  const body = rows
    .map(
      (row) =>
        `<tr><th scope="row">${escapeHtml(row.organizationName ?? '')}</th>${td(String(row.figures.leads), true)}` +
        `${td(reportText(row))}${sharesCells(row.figures)}${resolutionCells(row.figures)}</tr>`,
    )
    .join('\n');
  const foot = program
    ? `<tfoot><tr><th scope="row">Whole program</th>${td(String(program.figures.leads), true)}${td(tallyText(program.reports))}` +
      `${sharesCells(program.figures)}${resolutionCells(program.figures)}</tr></tfoot>`
    : '';
  const chartRows = rows.map((row) => ({ label: row.organizationName ?? '', figures: row.figures }));
  const charts =
    chartRows.length === 0
      ? ''
      : contactChart(
          `contact-${window.id}`,
          `Share of leads contacted within ${CONTACT_BUSINESS_DAYS} business days, ${label}`,
          chartRows,
        ) + resolutionChart(`resolutions-${window.id}`, `Resolution of leads by organization, ${label}`, chartRows);
  return [
    `<section aria-labelledby="h-${window.id}">`,
    `<h2 id="h-${window.id}">${escapeHtml(label)}</h2>`,
    rows.length === 0 ? '<p>No leads in this window.</p>' : '',
    `${scrollBox(`h-${window.id}`)}<table>`,
    `<caption>${escapeHtml(caption)}</caption>`,
    `<thead><tr><th scope="col">Organization</th><th scope="col" class="num">Leads</th><th scope="col">Report</th>${SHARE_HEADERS}${resolutionHeaders()}</tr></thead>`,
    `<tbody>${body}</tbody>`,
    foot,
    '</table></div>',
    charts,
    '</section>',
  ].join('\n');
}

function programSection(p: Performance): string {
  const rows = programRows(p);
  const body = rows
    .map((row) => {
      const label =
        row.window === ALL_WINDOWS
          ? ALL_WINDOWS
          : `${dayText(row.windowStart ?? '')} – ${dayText(row.windowEnd ?? '')}`;
      return (
        `<tr><th scope="row">${escapeHtml(label)}</th>${td(String(row.figures.leads), true)}` +
        `${td(String(row.unroutedReferrals ?? 0), true)}${td(tallyText(row.reports))}${sharesCells(row.figures)}` +
        `${resolutionCells(row.figures)}</tr>`
      );
    })
    .join('\n');
  const chartRows = rows.map((row) => ({
    label:
      row.window === ALL_WINDOWS ? ALL_WINDOWS : `${dayText(row.windowStart ?? '')} – ${dayText(row.windowEnd ?? '')}`,
    figures: row.figures,
  }));
  return [
    '<section aria-labelledby="h-program">',
    '<h2 id="h-program">Whole program</h2>',
    `${scrollBox('h-program')}<table>`,
    '<caption>The whole program, window by window and over all windows</caption>',
    `<thead><tr><th scope="col">Window</th><th scope="col" class="num">Leads</th><th scope="col" class="num">Unrouted referrals</th><th scope="col">Reports</th>${SHARE_HEADERS}${resolutionHeaders()}</tr></thead>`,
    `<tbody>${body}</tbody>`,
    '</table></div>',
    contactChart(
      'contact-program',
      `Share of the program's leads contacted within ${CONTACT_BUSINESS_DAYS} business days, by window`,
      chartRows,
    ),
    '</section>',
  ].join('\n');
}

function organizationSection(p: Performance): string {
  const rows = organizationOverallRows(p);
  const body = rows
    .map(
      (row) =>
        `<tr><th scope="row">${escapeHtml(row.organizationName ?? '')}</th>${td(String(row.figures.leads), true)}` +
        `${td(tallyText(row.reports))}${sharesCells(row.figures)}${resolutionCells(row.figures)}</tr>`,
    )
    .join('\n');
  return [
    '<section aria-labelledby="h-organizations">',
    '<h2 id="h-organizations">Each organization over all windows</h2>',
    `${scrollBox('h-organizations')}<table>`,
    '<caption>Each organization over all windows</caption>',
    `<thead><tr><th scope="col">Organization</th><th scope="col" class="num">Leads</th><th scope="col">Reports</th>${SHARE_HEADERS}${resolutionHeaders()}</tr></thead>`,
    `<tbody>${body}</tbody>`,
    '</table></div>',
    '</section>',
  ].join('\n');
}

const PAGE_STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", Arial, sans-serif; margin: 1.5rem; color: #1a1a1a; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.85rem; }
caption { text-align: left; font-weight: 600; padding: 0.4rem 0; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; vertical-align: top; }
thead th { background: #eef1f4; }
tbody th, tfoot th { text-align: left; font-weight: 600; }
tfoot { background: #f7f7f7; }
.num { text-align: right; }
figure { margin: 1rem 0; } figcaption { font-size: 0.85rem; color: #444; }
svg text { fill: #1a1a1a; }
`;

/**
 * A self-contained HTML page (no scripts, no external files; a Content-Security-Policy that allows neither): the
 * program's figures, then one section per window with its table and two bar charts, then each organization overall.
 */
export function performancePage(p: Performance, options: { title?: string } = {}): string {
  const title = options.title ?? 'Preferred assister performance';
  const span =
    p.windows.length === 0
      ? 'no reporting windows'
      : `referrals sent ${dayText(p.windows[0]?.start ?? '')} – ${dayText(p.windows[p.windows.length - 1]?.end ?? '')}`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${PAGE_STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p>${escapeHtml(
      `Leads, reports and outcomes by reporting window, ${span}. Shares are of the leads received; ` +
        `"${CONTACTED_HEADER}" counts contact on the referral day or within the next ${CONTACT_BUSINESS_DAYS} Minnesota business days, ` +
        `and "${NO_OUTCOME_YET}" counts leads no report has answered yet.`,
    )}</p>`,
    programSection(p),
    ...p.windows.map((window) => windowSection(p, window)),
    organizationSection(p),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** A wide table's scrolling box: focusable, so a keyboard can scroll it (WCAG 2.1.1), and named by its heading. */
function scrollBox(headingId: string): string {
  return `<div class="scroll" tabindex="0" role="region" aria-labelledby="${headingId}">`;
}
