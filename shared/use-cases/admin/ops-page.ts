import { addDays } from '../../domain/minnesota-time';
import type { IsoDate } from '../../domain/minnesota-time';
import { renderOpsPage } from '../../ops/ops-page';
import type { ReportDeps } from '../send-reports';
import { overdueReports } from '../send-reports';
import type { OpsFiguresDeps } from './ops-figures';
import { coverageToday, performanceBetween, undeliveredLeads, unroutableReferrals } from './ops-figures';

/** The ops page's figures, gathered from the same use cases as the admin routes (the admin API and the pal CLI). */
export async function opsPage(
  deps: OpsFiguresDeps & Pick<ReportDeps, 'reports' | 'clock'>,
  today: IsoDate,
  days: number,
): Promise<string> {
  return renderOpsPage({
    today,
    lookbackDays: days,
    coverage: await coverageToday(deps, today, days),
    performance: await performanceBetween(deps, addDays(today, -90), today, today),
    overdue: await overdueReports(deps, today),
    unroutable: await unroutableReferrals(deps, today, days),
    undelivered: await undeliveredLeads(deps, today, days, deps.clock()),
  });
}
