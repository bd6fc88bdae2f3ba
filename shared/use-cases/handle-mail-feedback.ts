import { LeadContactFailing } from '../../events/contact-events';
import { buildEvent } from '../../events/envelope';
import { LeadEmailFailed } from '../../events/referral-events';
import { RuleViolation } from '../domain/errors';
import type { MailFeedback } from '../domain/mail-feedback';
import { sameAddress } from '../domain/mail-feedback';
import type { Organization } from '../domain/organization';
import type { Referral } from '../domain/referral';
import { changeOrganization } from './admin/organizations';
import type { ReassignDeps } from './reassign-referral';
import { reassignReferral } from './reassign-referral';
import { deliverLead } from './route-referral';

export type MailFeedbackDeps = ReassignDeps;

/** Who changes an organization's contact status, and who re-routes its lead, in the audit. */
export const FEEDBACK_ACTOR = 'ses-feedback';
export const REROUTE_ACTOR = 'ses-bounce';

export type RerouteOutcome =
  | { outcome: 'reassigned'; referralId: string; toOrganizationId: string }
  /** The lead stays where it is: no other organization may take it (ops alerted by `Lead Email Failed`). */
  | { outcome: 'no-eligible-organization'; referralId: string }
  /** The bounced email is not the referral's current lead (a notice, an earlier lead), or it moved meanwhile. */
  | { outcome: 'not-current-lead'; referralId: string };

export type MailFeedbackResult =
  | { outcome: 'ignored'; why: 'soft-bounce' | 'not-a-lead-contact' }
  | {
      outcome: 'contact-failing';
      organizationIds: string[];
      /** The organizations this delivery marked failing (empty for a duplicate or a later bounce). */
      newlyFailing: string[];
      reroute?: RerouteOutcome;
    };

/**
 * Bounces and complaints (docs/architecture.md, flow 6):
 * 1. a transient or undetermined bounce is logged and changes nothing;
 * 2. every organization whose lead address bounced permanently or complained is marked failing,
 *    once (routing passes it over from then on), and `Lead Contact Failing` is published for ops;
 * 3. when the email was the referral's current lead (its message tags and message id say so) and
 *    the referral is still with that organization, it is re-routed to the next eligible one; with
 *    none eligible it stays, and `Lead Email Failed` (not retryable) tells ops to act.
 * Safe under duplicate delivery: the status is set once, the move is conditional, and a repeated
 * event is re-published with the same eventId.
 */
export async function handleMailFeedback(deps: MailFeedbackDeps, feedback: MailFeedback): Promise<MailFeedbackResult> {
  const { messageId, referralId } = feedback;
  if (feedback.severity === 'soft') {
    deps.log.info('Soft bounce: nothing changed', { messageId, referralId, feedbackType: feedback.feedbackType });
    return { outcome: 'ignored', why: 'soft-bounce' };
  }

  const organizations = (await deps.directory.list()).filter((org) =>
    feedback.recipients.some((address) => sameAddress(address, org.leadEmail)),
  );
  if (organizations.length === 0) {
    deps.log.info('Mail feedback for an address that is no lead contact', { messageId, reason: feedback.reason });
    return { outcome: 'ignored', why: 'not-a-lead-contact' };
  }

  const newlyFailing: string[] = [];
  for (const organization of organizations) {
    if (await markFailing(deps, organization, feedback)) newlyFailing.push(organization.organizationId);
  }

  const organizationIds = organizations.map((o) => o.organizationId);
  const reroute = referralId ? await rerouteLead(deps, feedback, referralId, organizationIds) : undefined;
  return { outcome: 'contact-failing', organizationIds, newlyFailing, ...(reroute && { reroute }) };
}

/** Marks the contact failing unless it already is; true when this delivery changed it. */
async function markFailing(deps: MailFeedbackDeps, listed: Organization, feedback: MailFeedback): Promise<boolean> {
  const { organizationId } = listed;
  // The list is an index (eventually consistent): decide on the profile as it stands now.
  const organization = await deps.directory.get(organizationId);
  if (!organization || !feedback.recipients.some((address) => sameAddress(address, organization.leadEmail))) {
    deps.log.info('Lead contact changed meanwhile: not marked failing', {
      organizationId,
      messageId: feedback.messageId,
    });
    return false;
  }
  const status = organization.leadContactStatus;
  // The same feedback delivered again finds its own mark: publish again (same eventId) in case the
  // first delivery stopped before publishing. A later bounce of a failing contact changes nothing.
  const sameFeedback = status?.state === 'failing' && status.since === feedback.at && status.reason === feedback.reason;
  if (status?.state === 'failing' && !sameFeedback) {
    deps.log.info('Lead contact already failing', { organizationId, messageId: feedback.messageId });
    return false;
  }
  if (!sameFeedback) {
    await changeOrganization(
      deps,
      organizationId,
      (current) => ({
        ...current,
        leadContactStatus: { state: 'failing', since: feedback.at, reason: feedback.reason },
      }),
      FEEDBACK_ACTOR,
      'lead-contact-failing',
    );
    deps.log.warn('Lead contact failing: no new leads go to it', {
      organizationId,
      reason: feedback.reason,
      messageId: feedback.messageId,
      referralId: feedback.referralId,
    });
  }
  await deps.events.publish([
    buildEvent(
      LeadContactFailing,
      {
        organizationId,
        reason: feedback.reason,
        since: feedback.at,
        messageId: feedback.messageId,
        ...(feedback.feedbackType && { feedbackType: feedback.feedbackType }),
        ...(feedback.referralId && { referralId: feedback.referralId }),
      },
      `${organizationId}:contact-failing:${feedback.at}`,
      deps.clock(),
    ),
  ]);
  return !sameFeedback;
}

/** Re-routes the referral when the email that failed is its current lead, still with that organization. */
async function rerouteLead(
  deps: MailFeedbackDeps,
  feedback: MailFeedback,
  referralId: string,
  failing: readonly string[],
): Promise<RerouteOutcome> {
  const referral = await deps.referrals.get(referralId);
  const from = referral?.routing?.organizationId;
  const lead = referral?.lead;
  if (!referral || !from || !failing.includes(from) || lead?.messageId !== feedback.messageId) {
    if (referral && resumable(referral, feedback, failing)) {
      // An earlier delivery moved the referral but stopped before the new lead went out: finish it.
      const delivery = await deliverLead(deps, referral);
      deps.log.info('Re-routed lead delivered on a repeated bounce', { referralId, to: from, ...delivery });
      return { outcome: 'reassigned', referralId, toOrganizationId: from! };
    }
    deps.log.info('Bounced email is not the current lead: nothing to re-route', {
      referralId,
      messageId: feedback.messageId,
    });
    return { outcome: 'not-current-lead', referralId };
  }

  try {
    const moved = await reassignReferral(deps, {
      referralId,
      actor: REROUTE_ACTOR,
      reason: `the lead email to ${from} ${feedback.reason === 'bounce' ? 'bounced' : 'drew a complaint'}`,
    });
    return { outcome: 'reassigned', referralId, toOrganizationId: moved.toOrganizationId };
  } catch (error) {
    if (!(error instanceof RuleViolation)) throw error;
    if (error.rule === 'unchanged-meanwhile') return { outcome: 'not-current-lead', referralId };
    if (error.rule !== 'eligible-organization') throw error;
  }

  // No other organization may take it: the lead stays with the failing contact, and ops must act.
  deps.log.error('Lead bounced and no other organization is eligible: left for ops to reassign', {
    referralId,
    organizationId: from,
    reason: feedback.reason,
  });
  await deps.events.publish([
    buildEvent(
      LeadEmailFailed,
      {
        referralId,
        organizationId: from,
        errorCode: feedback.reason === 'bounce' ? 'Bounced' : 'Complained',
        attempts: lead.attempts,
        retryable: false,
      },
      `${referralId}:lead-email-failed:${from}:${feedback.reason}`,
      deps.clock(),
    ),
  ]);
  return { outcome: 'no-eligible-organization', referralId };
}

/** Moved off the failing organization by this very feedback (its lead is in previousLeads), new lead not yet sent. */
function resumable(referral: Referral, feedback: MailFeedback, failing: readonly string[]): boolean {
  const routing = referral.routing;
  return (
    routing?.reassignedBy === REROUTE_ACTOR &&
    routing.reassignedFrom !== undefined &&
    failing.includes(routing.reassignedFrom) &&
    referral.lead?.state !== 'sent' &&
    referral.lead?.state !== 'in-doubt' &&
    (referral.previousLeads ?? []).some(
      (l) => l.organizationId === routing.reassignedFrom && l.messageId === feedback.messageId,
    )
  );
}
