import { loadPeriodsOf } from '../domain/load-periods';
import type { Referral, StoredRoutingDecision } from '../domain/referral';
import type { Slot } from '../ports/referral-store.port';
import type { RouteReferralDeps } from './route-referral';

export type ReleaseLeadDeps = Pick<RouteReferralDeps, 'ledger' | 'calendar'>;

/**
 * Releases the slot a referral holds at its organization and takes one at the organization `decision`
 * names, with the referral's move, in one atomic write: a reassignment calls it, and so can a lead an
 * assister hands back. The new organization's capacity does not block it (whoever moves the lead
 * decided). Returns the referral as it now stands, or undefined when it had moved meanwhile.
 */
export async function releaseLead(
  deps: ReleaseLeadDeps,
  referral: Referral,
  decision: StoredRoutingDecision & { readonly organizationId: string },
): Promise<Referral | undefined> {
  const periods = loadPeriodsOf(referral.referredAt, deps.calendar);
  const slotAt = (organizationId: string): Slot => ({ organizationId, periods, referredAt: referral.referredAt });
  const from = referral.routing?.organizationId;
  return deps.ledger.move(
    referral,
    from === undefined ? undefined : slotAt(from),
    slotAt(decision.organizationId),
    decision,
  );
}
