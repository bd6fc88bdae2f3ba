import type { Referral } from '../domain/referral';
import type { ReferralAcceptedView, ReferralStatusView } from './referral-api.schema';

/** What POST /referrals answers: where to read the referral, and its status. */
export function accepted(r: Referral): ReferralAcceptedView {
  return {
    referralId: r.referralId,
    crmReferralId: r.crmReferralId,
    status: r.status,
    href: `/referrals/${r.referralId}`,
  };
}

/** What GET returns: status and routing, and none of the consumer's contact details. */
export function statusView(r: Referral): ReferralStatusView {
  return {
    referralId: r.referralId,
    crmReferralId: r.crmReferralId,
    status: r.status,
    receivedAt: r.receivedAt,
    referredAt: r.referredAt,
    county: { fips: r.consumer.countyFips, name: r.consumer.countyName },
    assisterType: r.assisterType,
    assisterTypeRule: r.assisterTypeRule,
    ...(r.routing && { routing: { ...r.routing, candidates: [...r.routing.candidates] } }),
    ...(r.lead && {
      lead: {
        state: r.lead.state,
        attempts: r.lead.attempts,
        ...(r.lead.emailedAt && { emailedAt: r.lead.emailedAt }),
        ...(r.lead.lastErrorCode && { lastErrorCode: r.lead.lastErrorCode }),
      },
    }),
  };
}
