import { RuleViolation } from '../domain/errors';
import { loadPeriodsOf } from '../domain/load-periods';
import type { IsoDate } from '../domain/minnesota-time';
import { addDays, instantsOfMinnesotaDays } from '../domain/minnesota-time';
import type { ReportingCalendar } from '../domain/reporting-calendar';
import type { AssisterDirectory } from '../ports/assister-directory.port';
import type { AssignmentLedger, ReportReferrals } from '../ports/referral-store.port';

export interface RecountDeps {
  readonly directory: Pick<AssisterDirectory, 'list'>;
  readonly referrals: Pick<ReportReferrals, 'assignedBetween'>;
  readonly ledger: Pick<AssignmentLedger, 'setCounts'>;
  readonly calendar: ReportingCalendar;
}

export interface RecountResult {
  readonly windowId: string;
  readonly organizations: number;
  readonly leads: number;
}

/**
 * Rebuilds one reporting window's load counters from the referrals themselves: each organization's
 * leads in the window, and in each week the window touches (whole weeks, so a week that began in the
 * window before counts its leads from both). For ops: the counters start at zero for a window that was
 * under way when they were deployed, or after a repair. It reads every lead of the window (never on
 * the routing path) and sets the counts, not adds to them: run it while routing is quiet, since a
 * lead routed during the recount may be counted in the old figure only.
 */
export async function recountWindow(deps: RecountDeps, windowId: string): Promise<RecountResult> {
  const window = deps.calendar.windowById(windowId);
  if (!window) {
    throw new RuleViolation('windowId', 'known-window', `${windowId} is not a reporting window of the calendar`);
  }
  const firstMonday = loadPeriodsOf(instantsOfMinnesotaDays(window.start, window.start)[0], deps.calendar).weekOf;
  const lastMonday = loadPeriodsOf(instantsOfMinnesotaDays(window.end, window.end)[0], deps.calendar).weekOf;
  const span = instantsOfMinnesotaDays(firstMonday, addDays(lastMonday, 6));

  const organizations = await deps.directory.list();
  let leads = 0;
  for (const org of organizations) {
    const weeks = new Map<IsoDate, number>();
    for (let monday = firstMonday; monday <= lastMonday; monday = addDays(monday, 7)) weeks.set(monday, 0);
    let inWindow = 0;
    for await (const referral of deps.referrals.assignedBetween(org.organizationId, ...span)) {
      const periods = loadPeriodsOf(referral.referredAt, deps.calendar);
      weeks.set(periods.weekOf, (weeks.get(periods.weekOf) ?? 0) + 1);
      if (periods.windowId === window.id) inWindow++;
    }
    leads += inWindow;
    await deps.ledger.setCounts(org.organizationId, { windowId: window.id, window: inWindow, weeks });
  }
  return { windowId: window.id, organizations: organizations.length, leads };
}
