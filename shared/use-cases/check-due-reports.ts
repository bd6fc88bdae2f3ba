import { buildEvent } from '../../events/envelope';
import { ReportOverdue } from '../../events/report-events';
import { addMinnesotaBusinessDays, subtractMinnesotaBusinessDays } from '../domain/business-days';
import type { IsoDate } from '../domain/minnesota-time';
import { minnesotaDateOf } from '../domain/minnesota-time';
import type { Report } from '../domain/report';
import { composeOverdueEmail, composeReminderEmail } from '../domain/report-email';
import type { OpsMetrics } from '../ports/metrics.port';
import { reportLinks } from './report-links';
import type { ReportDeps } from './send-reports';

/** Reminders go out this many Minnesota business days before the due date. */
export const REMIND_BUSINESS_DAYS_BEFORE = 2;

export interface DueDeps extends ReportDeps {
  readonly metrics: OpsMetrics;
}

export interface DueResult {
  readonly date: IsoDate;
  readonly reminded: readonly string[];
  readonly markedOverdue: readonly string[];
  /** All reports past due and not complete on this date (the OverdueReports metric). */
  readonly overdue: number;
}

/**
 * Due dates (docs/architecture.md, flow 5), for one Minnesota date:
 * 1. two business days before the due date, remind organizations whose report is not complete;
 * 2. after the due date, mark the report overdue once, tell the organization, publish `Report Overdue`;
 * 3. publish the count of overdue reports as the OverdueReports metric, so an alarm can fire.
 * Each step is recorded once on the report, so running the job twice sends nothing twice.
 */
export async function checkDueReports(deps: DueDeps, date: IsoDate): Promise<DueResult> {
  // Counted before marking: the index is eventually consistent, so today's marks are counted below.
  const alreadyOverdue = await deps.reports.countMarkedOverdue();
  // Only what may change today is loaded: a report due in the next two business days may need its
  // reminder, one past due and not yet marked its overdue mark. Reports marked overdue are not reread.
  const pending = await deps.reports.listPendingDue(addMinnesotaBusinessDays(date, REMIND_BUSINESS_DAYS_BEFORE));
  const reminded: string[] = [];
  const markedOverdue: string[] = [];
  let overdue = alreadyOverdue;
  for (const report of pending) {
    if (date > report.dueDate) {
      overdue++;
      if (!report.overdueSince && (await deps.reports.markOverdue(report.reportId, date))) {
        await notify(deps, report, 'overdue');
        await deps.events.publish([
          buildEvent(
            ReportOverdue,
            {
              reportId: report.reportId,
              organizationId: report.organizationId,
              windowId: report.windowId,
              dueDate: report.dueDate,
              missingReferrals: missingCount(report),
            },
            `${report.reportId}:overdue`,
            deps.clock(),
          ),
        ]);
        markedOverdue.push(report.reportId);
      }
    } else if (
      date >= subtractMinnesotaBusinessDays(report.dueDate, REMIND_BUSINESS_DAYS_BEFORE) &&
      !report.remindedAt &&
      (await deps.reports.markReminded(report.reportId, deps.clock().toISOString()))
    ) {
      await notify(deps, report, 'reminder');
      reminded.push(report.reportId);
    }
  }
  deps.metrics.overdueReports(overdue);
  deps.log.info('Due-date check finished', {
    date,
    reminded: reminded.length,
    markedOverdue: markedOverdue.length,
    overdue,
  });
  return { date, reminded, markedOverdue, overdue };
}

async function notify(deps: DueDeps, report: Report, kind: 'reminder' | 'overdue'): Promise<void> {
  const organization = await deps.directory.get(report.organizationId);
  if (!organization) return;
  const input = {
    report,
    organizationName: organization.name,
    missing: missingCount(report),
    uploadUrl: reportLinks(deps.links, report, minnesotaDateOf(deps.clock())).uploadUrl,
    programContact: deps.programContact,
  };
  const email = kind === 'reminder' ? composeReminderEmail(input) : composeOverdueEmail(input);
  await deps.mailer.send({ to: [organization.leadEmail], replyTo: [deps.inboundAddress], ...email });
}

/** Never returned: every referral is missing; returned incomplete: what the last sheet left. */
function missingCount(report: Report): number {
  return report.missingReferralIds?.length ?? report.referralCount;
}
