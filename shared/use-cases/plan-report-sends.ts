import { buildEvent } from '../../events/envelope';
import { ReportBuildRequested } from '../../events/report-events';
import type { IsoDate } from '../domain/minnesota-time';
import { reportIdFor } from '../domain/report';
import type { ReportDeps, ReportUnit } from './send-reports';
import { windowInstants } from './send-reports';

export interface ReportSendPlan {
  readonly date: IsoDate;
  readonly windows: readonly string[];
  /** One `Report Build Requested` published for each: built, stored and emailed by its own invocation. */
  readonly requested: readonly (ReportUnit & { readonly reportId: string })[];
  /** Reports of those windows emailed already (a re-run of the job): no unit for them. */
  readonly alreadySent: readonly string[];
}

/**
 * Report send (flow 3), the daily job: it only plans. For every window whose send date is `date` and
 * every organization with referrals in it, one unit of work on the bus; the units are built apart
 * (`sendReport`), so no one invocation's time limit caps organizations × rows. Its own work is two
 * small reads per organization (the report, one referral), whatever the rows.
 */
export async function planReportSends(
  deps: Pick<ReportDeps, 'calendar' | 'directory' | 'referrals' | 'reports' | 'events' | 'log' | 'clock'>,
  date: IsoDate,
): Promise<ReportSendPlan> {
  const windows = deps.calendar.windowsSendingOn(date);
  const requested: (ReportUnit & { reportId: string })[] = [];
  const alreadySent: string[] = [];
  if (windows.length === 0) return { date, windows: [], requested, alreadySent };

  const organizations = await deps.directory.list();
  for (const window of windows) {
    const [from, to] = windowInstants(window);
    for (const { organizationId } of organizations) {
      const reportId = reportIdFor(window.id, organizationId);
      if ((await deps.reports.get(reportId))?.emailedAt) alreadySent.push(reportId);
      else if (await deps.referrals.anyAssignedBetween(organizationId, from, to))
        requested.push({ reportId, windowId: window.id, organizationId });
    }
  }
  const now = deps.clock();
  // The event id is the report's: every run's unit for one report is the same fact.
  await deps.events.publish(
    requested.map(({ reportId, windowId, organizationId }) =>
      buildEvent(ReportBuildRequested, { reportId, windowId, organizationId }, `${reportId}:build`, now),
    ),
  );
  deps.log.info('Report send planned', {
    date,
    windows: windows.map((w) => w.id),
    requested: requested.length,
    alreadySent: alreadySent.length,
  });
  return { date, windows: windows.map((w) => w.id), requested, alreadySent };
}
