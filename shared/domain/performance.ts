import { minnesotaBusinessDaysAfter } from './business-days';
import { compareIsoDates, minnesotaDateOf, type IsoDate } from './minnesota-time';
import type { Organization } from './organization';
import type { Referral } from './referral';
import type { Report } from './report';
import { RESOLUTIONS, type Resolution } from './outcome';
import type { ReportingWindow } from './reporting-calendar';

/*
 * How each preferred assister organization performs, window by window: MNsure "will use reports to help track
 * success of referrals as well as the performance of each preferred assister organization" (OE5 slides). The policy
 * gives the yardsticks: contact the consumer within one to two business days, and return the report by its due date.
 */

/** The assister must contact the consumer "no later than within one to two business days" (OE5 policy). */
export const CONTACT_BUSINESS_DAYS = 2;

export const NO_OUTCOME_YET = 'No outcome yet';
export type ResolutionOrNone = Resolution | typeof NO_OUTCOME_YET;
/** The breakdown's categories, in the report's drop-down order, then the leads nobody has reported on. */
export const RESOLUTION_CATEGORIES: readonly ResolutionOrNone[] = [...RESOLUTIONS, NO_OUTCOME_YET];

/** A share kept as its two counts, so a reader sees "3 of 4" and nothing is ever divided by zero. */
export interface Share {
  readonly numerator: number;
  /** Always > 0: where there would be nothing to divide by, there is no share at all. */
  readonly denominator: number;
}

/** The share as a number between 0 and 1. */
export function shareValue(share: Share): number {
  return share.numerator / share.denominator;
}

/**
 * Every share is of the leads received, so a lead with no outcome yet counts as not (yet) known to be contacted;
 * the "No outcome yet" count says how much of a low share is missing reports rather than missed consumers.
 */
export interface LeadShares {
  readonly contactedWithinTwoBusinessDays: Share;
  readonly appointmentScheduled: Share;
  readonly unableToContact: Share;
}

export interface ResolutionCount {
  readonly resolution: ResolutionOrNone;
  readonly leads: number;
}

export interface LeadFigures {
  readonly leads: number;
  /** Absent when there were no leads: "no leads" is not "0% contacted". */
  readonly shares?: LeadShares;
  /** All ten categories, in RESOLUTION_CATEGORIES order, zeros included; they add up to `leads`. */
  readonly resolutions: readonly ResolutionCount[];
}

/**
 * Where a report stands:
 * - `on-time` / `late`: complete, the last sheet received by / after the due date (Minnesota dates);
 * - `incomplete`: a sheet came back, but some referrals still have no valid outcome;
 * - `not-returned`: no sheet has come back.
 */
export type ReportReturnState = 'on-time' | 'late' | 'incomplete' | 'not-returned';

export interface ReportReturn {
  readonly reportId: string;
  readonly state: ReportReturnState;
  readonly dueDate: IsoDate;
  /** Minnesota date the last sheet arrived. */
  readonly receivedOn?: IsoDate;
  /** Past its due date and not complete. */
  readonly overdue: boolean;
}

/** Reports counted by state; `overdue` counts the incomplete and not returned ones past their due date. */
export interface ReportTally {
  readonly sent: number;
  readonly onTime: number;
  readonly late: number;
  readonly incomplete: number;
  readonly notReturned: number;
  readonly overdue: number;
}

export interface OrganizationWindowPerformance extends LeadFigures {
  readonly windowId: string;
  /** Absent when no report exists: no leads that window, or its send date has not come yet. */
  readonly report?: ReportReturn;
}

export interface OrganizationPerformance {
  readonly organizationId: string;
  readonly organizationName: string;
  /** One entry per window, in window order, windows without leads included. */
  readonly windows: readonly OrganizationWindowPerformance[];
  readonly overall: LeadFigures & { readonly reports: ReportTally };
}

export interface ProgramFigures extends LeadFigures {
  readonly reports: ReportTally;
  /** Referrals in the window that no organization received (unroutable, or not routed yet). */
  readonly unroutedReferrals: number;
}

export interface ProgramWindowPerformance extends ProgramFigures {
  readonly windowId: string;
}

export interface Performance {
  /** In date order. */
  readonly windows: readonly ReportingWindow[];
  /** By name, then id; organizations gone from the directory appear under their id. */
  readonly organizations: readonly OrganizationPerformance[];
  readonly program: {
    readonly windows: readonly ProgramWindowPerformance[];
    readonly overall: ProgramFigures;
  };
}

export interface PerformanceInput {
  readonly windows: readonly ReportingWindow[];
  readonly reports: readonly Report[];
  /** With their outcomes; referrals outside every window are left out. */
  readonly referrals: readonly Referral[];
  readonly organizations: readonly Organization[];
  /**
   * The Minnesota date to judge "overdue" by. Without it, a report is overdue when the due-date job has marked it
   * so (`overdueSince`), which keeps this function free of the clock.
   */
  readonly today?: IsoDate;
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const RESOLUTION_BY_NAME: ReadonlyMap<string, Resolution> = new Map(RESOLUTIONS.map((r) => [r, r]));

/** The category a lead counts under. A stored resolution that is not one of the program's is no usable outcome. */
function categoryOf(referral: Referral): ResolutionOrNone {
  const resolution = referral.outcome && RESOLUTION_BY_NAME.get(referral.outcome.resolution);
  return resolution ?? NO_OUTCOME_YET;
}

/** Contact on the referral's Minnesota date or within the next two Minnesota business days. */
function contactedInTime(referral: Referral): boolean {
  const outcome = referral.outcome;
  if (!outcome?.contactMade || outcome.contactDate === undefined) return false;
  const referredOn = minnesotaDateOf(new Date(referral.referredAt));
  return minnesotaBusinessDaysAfter(referredOn, outcome.contactDate) <= CONTACT_BUSINESS_DAYS;
}

function leadFigures(leads: readonly Referral[]): LeadFigures {
  const counts = new Map<ResolutionOrNone, number>(RESOLUTION_CATEGORIES.map((category) => [category, 0]));
  let contacted = 0;
  for (const lead of leads) {
    const category = categoryOf(lead);
    counts.set(category, (counts.get(category) ?? 0) + 1);
    if (contactedInTime(lead)) contacted += 1;
  }
  const resolutions = RESOLUTION_CATEGORIES.map((resolution) => ({ resolution, leads: counts.get(resolution) ?? 0 }));
  if (leads.length === 0) return { leads: 0, resolutions };
  const of = (numerator: number): Share => ({ numerator, denominator: leads.length });
  return {
    leads: leads.length,
    shares: {
      contactedWithinTwoBusinessDays: of(contacted),
      appointmentScheduled: of(counts.get('Contact made appointment scheduled') ?? 0),
      unableToContact: of(counts.get('Unable to contact') ?? 0),
    },
    resolutions,
  };
}

function reportReturn(report: Report, today: IsoDate | undefined): ReportReturn {
  const receivedOn = report.lastReceivedAt === undefined ? undefined : minnesotaDateOf(new Date(report.lastReceivedAt));
  let state: ReportReturnState;
  if (report.status === 'complete') {
    // A complete report always has lastReceivedAt; without it there is no evidence of lateness.
    state = receivedOn !== undefined && compareIsoDates(receivedOn, report.dueDate) > 0 ? 'late' : 'on-time';
  } else {
    state = receivedOn === undefined ? 'not-returned' : 'incomplete';
  }
  const pastDue = today === undefined ? report.overdueSince !== undefined : compareIsoDates(today, report.dueDate) > 0;
  return {
    reportId: report.reportId,
    state,
    dueDate: report.dueDate,
    ...(receivedOn !== undefined && { receivedOn }),
    overdue: state !== 'on-time' && state !== 'late' && pastDue,
  };
}

function tally(returns: readonly (ReportReturn | undefined)[]): ReportTally {
  const present = returns.filter((r): r is ReportReturn => r !== undefined);
  const count = (state: ReportReturnState) => present.filter((r) => r.state === state).length;
  return {
    sent: present.length,
    onTime: count('on-time'),
    late: count('late'),
    incomplete: count('incomplete'),
    notReturned: count('not-returned'),
    overdue: present.filter((r) => r.overdue).length,
  };
}

function append<T>(groups: Map<string, T[]>, key: string, item: T): void {
  const group = groups.get(key);
  if (group) group.push(item);
  else groups.set(key, [item]);
}

/** Performance of every organization in every window, and of the program as a whole. */
export function computePerformance(input: PerformanceInput): Performance {
  const windows = [...input.windows].sort((a, b) => compareIsoDates(a.start, b.start) || byText(a.id, b.id));
  const windowOf = (referral: Referral): ReportingWindow | undefined => {
    // Reports are built from the referral's Minnesota date (send-reports), so performance uses the same one.
    const date = minnesotaDateOf(new Date(referral.referredAt));
    return windows.find((w) => compareIsoDates(w.start, date) <= 0 && compareIsoDates(date, w.end) <= 0);
  };

  const names = new Map(input.organizations.map((org) => [org.organizationId, org.name]));
  const leadsByCell = new Map<string, Referral[]>();
  const referralsByWindow = new Map<string, Referral[]>();
  const cell = (organizationId: string, windowId: string) => `${windowId}|${organizationId}`;
  for (const referral of input.referrals) {
    const window = windowOf(referral);
    if (!window) continue;
    append(referralsByWindow, window.id, referral);
    const organizationId = referral.routing?.organizationId;
    if (organizationId === undefined) continue;
    if (!names.has(organizationId)) names.set(organizationId, organizationId);
    append(leadsByCell, cell(organizationId, window.id), referral);
  }

  const windowIds = new Set(windows.map((w) => w.id));
  const returnsByCell = new Map<string, ReportReturn>();
  for (const report of input.reports) {
    if (!windowIds.has(report.windowId)) continue;
    if (!names.has(report.organizationId)) names.set(report.organizationId, report.organizationId);
    returnsByCell.set(cell(report.organizationId, report.windowId), reportReturn(report, input.today));
  }

  const organizationIds = [...names.keys()].sort(
    (a, b) => byText(names.get(a) ?? a, names.get(b) ?? b) || byText(a, b),
  );
  const organizations: OrganizationPerformance[] = organizationIds.map((organizationId) => {
    const perWindow = windows.map((window): OrganizationWindowPerformance => {
      const k = cell(organizationId, window.id);
      const report = returnsByCell.get(k);
      return {
        windowId: window.id,
        ...leadFigures(leadsByCell.get(k) ?? []),
        ...(report !== undefined && { report }),
      };
    });
    const allLeads = windows.flatMap((window) => leadsByCell.get(cell(organizationId, window.id)) ?? []);
    return {
      organizationId,
      organizationName: names.get(organizationId) ?? organizationId,
      windows: perWindow,
      overall: { ...leadFigures(allLeads), reports: tally(perWindow.map((w) => w.report)) },
    };
  });

  const programFigures = (windowList: readonly ReportingWindow[]): ProgramFigures => {
    const referrals = windowList.flatMap((window) => referralsByWindow.get(window.id) ?? []);
    const leads = referrals.filter((referral) => referral.routing?.organizationId !== undefined);
    const returns = windowList.flatMap((window) =>
      organizationIds.map((organizationId) => returnsByCell.get(cell(organizationId, window.id))),
    );
    return { ...leadFigures(leads), reports: tally(returns), unroutedReferrals: referrals.length - leads.length };
  };

  return {
    windows,
    organizations,
    program: {
      windows: windows.map((window) => ({ windowId: window.id, ...programFigures([window]) })),
      overall: programFigures(windows),
    },
  };
}
