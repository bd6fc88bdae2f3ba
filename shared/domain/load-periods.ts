import type { IsoDate } from './minnesota-time';
import { addDays, dayOfWeek, minnesotaDateOf } from './minnesota-time';
import type { ReportingCalendar } from './reporting-calendar';

/**
 * The periods a lead counts in against its organization: the reporting window (load, the routing
 * order) and the Monday-to-Sunday week (weekly capacity, the limit), both by the referral's
 * Minnesota date. Outside every configured window (a gap in the calendar) the week stands for it.
 */
export interface LoadPeriods {
  readonly windowId?: string;
  /** The Monday of the referral's week. */
  readonly weekOf: IsoDate;
}

export function loadPeriodsOf(referredAt: string, calendar: ReportingCalendar): LoadPeriods {
  const referredOn = minnesotaDateOf(new Date(referredAt));
  const window = calendar.windowContaining(referredOn);
  return {
    ...(window && { windowId: window.id }),
    weekOf: addDays(referredOn, -((dayOfWeek(referredOn) + 6) % 7)),
  };
}
