import type { Coverage } from '../../domain/coverage';
import { computeCoverage } from '../../domain/coverage';
import { LANGUAGES } from '../../domain/languages';
import type { LanguageCode } from '../../domain/languages';
import type { IsoDate } from '../../domain/minnesota-time';
import { addDays, startOfMinnesotaDay } from '../../domain/minnesota-time';
import type { Performance } from '../../domain/performance';
import { computePerformance } from '../../domain/performance';
import type { Referral } from '../../domain/referral';
import { undeliveredState } from '../../domain/referral';
import type { Report } from '../../domain/report';
import type { ReportingCalendar } from '../../domain/reporting-calendar';
import type { AssisterDirectory } from '../../ports/assister-directory.port';
import type { ReferralStore, ReferralSummary, ReportReferrals } from '../../ports/referral-store.port';
import type { ReportStore } from '../../ports/report-store.port';
import { collect, windowInstants } from '../send-reports';

/** Referrals by Minnesota day, routed or not (the byDay index): what coverage and the ops page count. */
export interface ReferralDays {
  referredBetween(fromDay: IsoDate, toDay: IsoDate): AsyncIterable<ReferralSummary>;
}

export interface OpsFiguresDeps {
  readonly directory: Pick<AssisterDirectory, 'list'>;
  readonly days: ReferralDays;
  readonly referrals: Pick<ReportReferrals, 'assignedBetween'> & Pick<ReferralStore, 'get'>;
  readonly reports: Pick<ReportStore, 'listForWindow' | 'listOpen'>;
  readonly calendar: ReportingCalendar;
}

/** How many days back coverage and the ops page look by default. */
export const DEFAULT_LOOKBACK_DAYS = 30;

/** Coverage of Minnesota's 87 counties today, with the referrals of the last `days` days. */
export async function coverageToday(deps: OpsFiguresDeps, today: IsoDate, days: number): Promise<Coverage> {
  const first = addDays(today, -(days - 1));
  const referrals = await collect(deps.days.referredBetween(first, today));
  return computeCoverage({
    organizations: await deps.directory.list(),
    referrals: referrals.map((r) => ({
      countyFips: r.countyFips,
      assisterType: r.assisterType,
      ...(r.preferredLanguage &&
        r.preferredLanguage in LANGUAGES && { preferredLanguage: r.preferredLanguage as LanguageCode }),
      referredAt: r.referredAt,
    })),
    since: startOfMinnesotaDay(first).toISOString(),
  });
}

/** Performance per organization and reporting window, for the windows overlapping [from, to]. */
export async function performanceBetween(
  deps: OpsFiguresDeps,
  from: IsoDate,
  to: IsoDate,
  today: IsoDate,
): Promise<Performance> {
  const windows = deps.calendar.windowsBetween(from, to);
  const organizations = await deps.directory.list();
  const reports: Report[] = [];
  const referrals: Referral[] = [];
  for (const window of windows) {
    reports.push(...(await deps.reports.listForWindow(window.id)));
    for (const org of organizations) {
      referrals.push(...(await collect(deps.referrals.assignedBetween(org.organizationId, ...windowInstants(window)))));
    }
    // Unroutable referrals belong to no organization, but the program's figures count them.
    for await (const summary of deps.days.referredBetween(window.start, window.end)) {
      if (summary.status !== 'unroutable') continue;
      const referral = await deps.referrals.get(summary.referralId);
      if (referral) referrals.push(referral);
    }
  }
  return computePerformance({ windows, reports, referrals, organizations, today });
}

/** Referrals of the last `days` days that no organization could take: the ops page lists them. */
export async function unroutableReferrals(
  deps: OpsFiguresDeps,
  today: IsoDate,
  days: number,
): Promise<ReferralSummary[]> {
  const all = await collect(deps.days.referredBetween(addDays(today, -(days - 1)), today));
  return all.filter((r) => r.status === 'unroutable');
}

/** A lead email that is not out and needs ops (no PII: ids, dates, states). */
export interface UndeliveredLead {
  readonly referralId: string;
  readonly referredAt: string;
  readonly organizationId: string;
  readonly state: 'in-doubt' | 'failed' | 'stalled';
  readonly since: string;
  readonly attempts: number;
  readonly errorCode?: string;
}

/** Leads of referrals made in the last `days` days that are in doubt, refused or stalled: the ops page lists them. */
export async function undeliveredLeads(
  deps: OpsFiguresDeps,
  today: IsoDate,
  days: number,
  now: Date,
): Promise<UndeliveredLead[]> {
  const leads: UndeliveredLead[] = [];
  for await (const summary of deps.days.referredBetween(addDays(today, -(days - 1)), today)) {
    // An undelivered lead is email-failed, or routed under a claim nobody settled.
    if (summary.status !== 'email-failed' && summary.status !== 'routed') continue;
    const referral = await deps.referrals.get(summary.referralId);
    const lead = referral?.lead;
    const state = undeliveredState(lead, now);
    if (!referral || !lead || !state) continue;
    leads.push({
      referralId: referral.referralId,
      referredAt: referral.referredAt,
      organizationId: lead.organizationId,
      state,
      since: lead.claimedAt,
      attempts: lead.attempts,
      ...(lead.lastErrorCode && { errorCode: lead.lastErrorCode }),
    });
  }
  return leads;
}
