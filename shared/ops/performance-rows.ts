import type { IsoDate } from '../domain/minnesota-time';
import {
  CONTACT_BUSINESS_DAYS,
  type LeadFigures,
  type Performance,
  type ReportReturn,
  type ReportReturnState,
  type ReportTally,
  type ResolutionOrNone,
} from '../domain/performance';
import type { ReportingWindow } from '../domain/reporting-calendar';

/*
 * The performance figures as flat rows: an organization or the program, in a window or over all of them. The CSV, the
 * workbook and the HTML page all read these rows, so a figure cannot differ between them.
 */

/** One line of any view: an organization in a window or overall, or the program in a window or overall. */
export interface FlatRow {
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

export const ALL_WINDOWS = 'All windows';

export const REPORT_STATE_LABELS: Readonly<Record<ReportReturnState, string>> = {
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
export function organizationWindowRows(p: Performance): FlatRow[] {
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

export function organizationOverallRows(p: Performance): FlatRow[] {
  return p.organizations.map((org) => ({
    scope: 'Organization',
    ...spanFields(p.windows),
    organizationId: org.organizationId,
    organizationName: org.organizationName,
    figures: org.overall,
    reports: org.overall.reports,
  }));
}

export function programRows(p: Performance): FlatRow[] {
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

export const CONTACTED_HEADER = `Contacted within ${CONTACT_BUSINESS_DAYS} business days`;

export function resolutionCount(figures: LeadFigures, resolution: ResolutionOrNone): number {
  return figures.resolutions.find((entry) => entry.resolution === resolution)?.leads ?? 0;
}
