import {
  CONTACT_BUSINESS_DAYS,
  NO_OUTCOME_YET,
  RESOLUTION_CATEGORIES,
  type LeadFigures,
  type Performance,
  type ReportTally,
} from '../domain/performance';
import type { ReportingWindow } from '../domain/reporting-calendar';
import { escapeHtml } from '../format/html';
import { contactChart, resolutionChart } from './performance-charts';
import {
  ALL_WINDOWS,
  CONTACTED_HEADER,
  organizationOverallRows,
  organizationWindowRows,
  programRows,
  REPORT_STATE_LABELS,
  resolutionCount,
  type FlatRow,
} from './performance-rows';
import { dayText, shareText } from './performance-text';

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
  const windowLabel = (row: (typeof rows)[number]) =>
    row.window === ALL_WINDOWS ? ALL_WINDOWS : `${dayText(row.windowStart ?? '')} – ${dayText(row.windowEnd ?? '')}`;
  const body = rows
    .map((row) => {
      return (
        `<tr><th scope="row">${escapeHtml(windowLabel(row))}</th>${td(String(row.figures.leads), true)}` +
        `${td(String(row.unroutedReferrals ?? 0), true)}${td(tallyText(row.reports))}${sharesCells(row.figures)}` +
        `${resolutionCells(row.figures)}</tr>`
      );
    })
    .join('\n');
  const chartRows = rows.map((row) => ({ label: windowLabel(row), figures: row.figures }));
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
