import { NotFoundError, RuleViolation } from '../domain/errors';
import { undeliveredState } from '../domain/referral';
import type { ReassignDeps } from './reassign-referral';
import type { RouteReferralResult } from './route-referral';
import { deliverLead } from './route-referral';

export interface ResendLeadRequest {
  readonly referralId: string;
  readonly actor: string;
  /** What ops found out, e.g. "the organization confirmed it never arrived". */
  readonly reason: string;
}

export interface ResendLeadResult {
  readonly referralId: string;
  readonly organizationId: string;
  readonly previousState: 'in-doubt' | 'failed' | 'stalled';
  readonly delivery: RouteReferralResult;
}

/**
 * Ops send a lead again to the organization it is routed to, after a delivery that did not end
 * sent: in doubt (only once the organization says it never arrived: the system never sends twice
 * on its own), refused by SES until the retries ran out, or stalled under a dead sender's claim.
 * The earlier attempt is kept in `previousLeads`, the resend is audited, and the email goes out
 * under a fresh claim, so two ops pressing resend at once still send one.
 */
export async function resendLead(deps: ReassignDeps, request: ResendLeadRequest): Promise<ResendLeadResult> {
  const reason = request.reason.trim();
  if (!reason) throw new RuleViolation('reason', 'required', 'a resend needs a reason');
  const referral = await deps.referrals.get(request.referralId);
  if (!referral) throw new NotFoundError(`Referral ${request.referralId} does not exist`);
  const organizationId = referral.routing?.organizationId;
  const lead = referral.lead;
  const now = deps.clock();
  const state = undeliveredState(lead, now);
  if (!organizationId || !lead || !state) {
    throw new RuleViolation(
      'referralId',
      'lead-undelivered',
      lead?.state === 'sent'
        ? 'the lead was emailed; nothing to resend'
        : 'the lead is not in doubt, refused or stalled: nothing to resend',
    );
  }

  const reopened = await deps.referrals.reopenLead(referral.referralId, lead);
  if (!reopened) {
    throw new RuleViolation('referralId', 'unchanged-meanwhile', 'the lead changed meanwhile; look again');
  }
  await deps.audit.record({
    subject: `referral#${referral.referralId}`,
    at: now.toISOString(),
    action: 'lead-resent',
    actor: request.actor,
    field: 'lead',
    oldValue: `${state}${lead.lastErrorCode ? ` (${lead.lastErrorCode})` : ''}: ${reason}`,
    newValue: organizationId,
  });
  deps.log.info('Lead resent by ops', { referralId: referral.referralId, organizationId, previousState: state });
  const delivery = await deliverLead(deps, reopened);
  return { referralId: referral.referralId, organizationId, previousState: state, delivery };
}
