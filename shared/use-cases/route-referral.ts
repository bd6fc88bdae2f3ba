import { buildEvent } from '../../events/envelope';
import { LeadEmailed, LeadEmailFailed, ReferralRouted, ReferralUnroutable } from '../../events/referral-events';
import { consumerKeys } from '../domain/consumer-key';
import { NotFoundError, RetryLaterError } from '../domain/errors';
import { composeLeadEmail, leadDeadlines } from '../domain/lead-email';
import type { LeadLinkSettings } from './lead-links';
import { leadLink } from './lead-links';
import { loadPeriodsOf } from '../domain/load-periods';
import type { Referral } from '../domain/referral';
import type { ReportingCalendar } from '../domain/reporting-calendar';
import type { RoutingDecision, RoutingPolicy } from '../domain/routing';
import { decideRouting, routingRequestOf } from '../domain/routing';
import type { AssisterDirectory } from '../ports/assister-directory.port';
import type { ConsumerHistory } from '../ports/consumer-history.port';
import type { EventPublisher, OutgoingEvent } from '../ports/event-publisher.port';
import type { Log } from '../ports/logger.port';
import { MailerError } from '../ports/mailer.port';
import type { Mailer } from '../ports/mailer.port';
import type { AssignmentLedger, ReferralStore } from '../ports/referral-store.port';

export interface RouteReferralDeps {
  readonly referrals: ReferralStore;
  readonly ledger: AssignmentLedger;
  readonly directory: AssisterDirectory;
  readonly consumerHistory: ConsumerHistory;
  readonly events: EventPublisher;
  readonly mailer: Mailer;
  readonly calendar: ReportingCalendar;
  readonly log: Log;
  readonly clock: () => Date;
  readonly consumerKeySecret: Buffer;
  readonly programContact: string;
  readonly policy: RoutingPolicy;
  /** How long a claim on the lead email keeps others from sending it: ≥ EventBridge's 24 h retry window. */
  readonly leadClaimTtlMs: number;
  readonly leadLinks: LeadLinkSettings;
}

export type RouteReferralResult =
  | { outcome: 'emailed'; organizationId: string; messageId: string }
  | { outcome: 'already-emailed'; organizationId: string }
  | { outcome: 'unroutable' }
  | { outcome: 'in-doubt'; organizationId: string };

/**
 * Routing (docs/architecture.md, flow 2), safe under at-least-once delivery:
 * 1. decide once: a stored decision is reused by every later delivery;
 * 2. claim the lead email (a conditional write), send it, mark it sent: at most one email;
 * 3. publish `Referral Routed` and `Lead Emailed` (or `Referral Unroutable`).
 * Throws RetryLaterError when the event should come again (a claim held elsewhere, SES refused).
 */
export async function routeReferral(deps: RouteReferralDeps, referralId: string): Promise<RouteReferralResult> {
  const found = await deps.referrals.get(referralId);
  if (!found) throw new NotFoundError(`Referral ${referralId} does not exist`);

  const referral = found.routing ? found : await decide(deps, found);
  const decision = referral.routing!;
  if (decision.outcome === 'unroutable' || decision.organizationId === undefined) {
    deps.log.warn('Referral unroutable', { referralId, reason: decision.reason });
    await deps.events.publish([unroutableEvent(referral, decision, deps.clock())]);
    return { outcome: 'unroutable' };
  }
  return deliverLead(deps, referral);
}

/**
 * Emails the lead to the organization the referral is routed to, at most once: a claim (a
 * conditional write) is taken before SES is called and settled after. Also used after a reassignment.
 */
export async function deliverLead(deps: RouteReferralDeps, referral: Referral): Promise<RouteReferralResult> {
  const { referralId } = referral;
  const decision = referral.routing!;
  const organizationId = decision.organizationId!;
  const lead = referral.lead;
  if (lead?.state === 'sent') {
    await deps.events.publish(deliveredEvents(referral, decision, lead.messageId ?? 'unknown', deps.clock()));
    return { outcome: 'already-emailed', organizationId };
  }
  if (lead?.state === 'in-doubt') return { outcome: 'in-doubt', organizationId };
  if (lead?.state === 'sending') {
    if (Date.parse(lead.claimExpiresAt) > deps.clock().getTime()) {
      throw new RetryLaterError(`The lead email of ${referralId} is being sent by another delivery`);
    }
    return markInDoubt(deps, referral, organizationId, lead.attempts, 'ClaimExpired');
  }

  const attempts = (lead?.attempts ?? 0) + 1;
  const claimedAt = deps.clock();
  const claim = await deps.referrals.claimLeadEmail(referralId, {
    state: 'sending',
    organizationId,
    claimedAt: claimedAt.toISOString(),
    claimExpiresAt: new Date(claimedAt.getTime() + deps.leadClaimTtlMs).toISOString(),
    attempts,
  });
  if (!claim.claimed) throw new RetryLaterError(`The lead email of ${referralId} was claimed by another delivery`);

  // Until SES is called nothing can have been sent: any failure here releases the claim, so the
  // retried event sends the email instead of finding a claim held for a day by no one.
  let email: ReturnType<typeof composeLeadEmail>;
  let leadEmail: string;
  try {
    const organization = await deps.directory.get(organizationId);
    if (!organization)
      throw new NotFoundError(`Organization ${organizationId} chosen for ${referralId} no longer exists`);
    leadEmail = organization.leadEmail;
    email = composeLeadEmail(
      referral,
      organization,
      leadDeadlines(referral.referredAt, claimedAt),
      deps.programContact,
      decision.repeatOfReferralId,
      organization.deliveryMode === 'inline'
        ? { mode: 'inline' }
        : leadLink(deps.leadLinks, referral, organizationId, claimedAt),
    );
  } catch (error) {
    await deps.referrals.releaseLeadEmail(
      referralId,
      error instanceof NotFoundError ? 'OrganizationMissing' : 'NotSent',
    );
    throw error;
  }
  let messageId: string;
  try {
    ({ messageId } = await deps.mailer.send({
      to: [leadEmail],
      replyTo: [deps.programContact],
      subject: email.subject,
      text: email.text,
      html: email.html,
      // SES returns tags with bounce and complaint events: the bounce handler finds the lead by it.
      tags: { referralId, organizationId },
    }));
  } catch (error) {
    const failure = error instanceof MailerError ? error : new MailerError('UnknownError', false, { cause: error });
    if (!failure.notSent) return markInDoubt(deps, referral, organizationId, attempts, failure.code);
    await deps.referrals.releaseLeadEmail(referralId, failure.code);
    deps.log.error('Lead email refused; the event will be retried', {
      referralId,
      organizationId,
      errorCode: failure.code,
      attempts,
    });
    await deps.events.publish([failedEvent(referral, organizationId, failure.code, attempts, true, deps.clock())]);
    throw new RetryLaterError(`SES refused the lead email of ${referralId} (${failure.code})`, { cause: error });
  }

  await deps.referrals.completeLeadEmail(referralId, messageId, deps.clock().toISOString());
  deps.log.info('Lead emailed', {
    referralId,
    organizationId,
    messageId,
    repeat: decision.repeatOfReferralId !== undefined,
  });
  await deps.events.publish(deliveredEvents(referral, decision, messageId, deps.clock()));
  return { outcome: 'emailed', organizationId, messageId };
}

/** What deciding needs of the routing deps (the fast tests give it in-memory ports). */
export type DecideDeps = Pick<
  RouteReferralDeps,
  'directory' | 'consumerHistory' | 'calendar' | 'log' | 'clock' | 'consumerKeySecret' | 'policy'
> & {
  readonly referrals: Pick<ReferralStore, 'recordRouting'>;
  readonly ledger: Pick<AssignmentLedger, 'loadsOf' | 'assign'>;
};

const MAX_CONFLICTS = 5;

/**
 * Decides once and takes the organization's slot in the same atomic write (`ledger.assign`): the
 * loads come from counters, so this costs the same however many leads the window holds. When the
 * chosen organization filled up since its load was read, the loads are read again and the policy
 * picks the next; when another delivery decided first, its decision stands.
 */
export async function decide(deps: DecideDeps, referral: Referral): Promise<Referral> {
  const periods = loadPeriodsOf(referral.referredAt, deps.calendar);
  const organizations = await deps.directory.candidatesFor(referral.assisterType, referral.consumer.countyFips);
  const organizationIds = [...new Set(organizations.map((o) => o.organizationId))];
  const keys = consumerKeys(referral.consumer, deps.consumerKeySecret);
  const previous = await deps.consumerHistory.latest(keys);
  const request = {
    ...routingRequestOf(referral),
    ...(previous && previous.referralId !== referral.referralId && { previous }),
  };

  let stored: Referral | undefined;
  // A retry follows a slot taken meanwhile (at most one per candidate) or a write conflict (a few,
  // spaced with jitter: DynamoDB cancels one of two transactions on the same counter at once).
  let conflicts = 0;
  for (let attempt = 0; attempt < organizationIds.length + MAX_CONFLICTS + 1 && !stored; attempt++) {
    const loads = await deps.ledger.loadsOf(organizationIds, periods);
    const decision = decideRouting(request, organizations, loads, deps.policy);
    const stamped = {
      ...decision,
      ...(periods.windowId && { windowId: periods.windowId }),
      decidedAt: deps.clock().toISOString(),
    };
    const chosen = organizations.find((o) => o.organizationId === decision.organizationId);
    if (decision.outcome !== 'routed' || !chosen) {
      stored = await deps.referrals.recordRouting(referral.referralId, stamped, 'unroutable');
      break;
    }
    // A returning consumer goes back to the same organization whatever its capacity (decideRouting).
    const limited = decision.reason !== 'repeat-consumer' && chosen.weeklyCapacity !== undefined;
    const result = await deps.ledger.assign(referral.referralId, stamped, {
      organizationId: chosen.organizationId,
      periods,
      referredAt: referral.referredAt,
      ...(limited && { weeklyLimit: chosen.weeklyCapacity }),
    });
    if (result.outcome === 'assigned' || result.outcome === 'already-decided') {
      stored = result.referral;
      break;
    }
    deps.log.info('Routing tries again', {
      referralId: referral.referralId,
      organizationId: chosen.organizationId,
      why: result.outcome,
    });
    if (result.outcome === 'contended') {
      if (++conflicts > MAX_CONFLICTS) break;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * 2 ** conflicts));
    }
  }
  if (!stored) throw new RetryLaterError(`Routing ${referral.referralId} kept finding its organizations' slots taken`);
  const storedDecision = stored.routing;
  if (storedDecision?.outcome === 'routed' && storedDecision.organizationId) {
    await deps.consumerHistory.remember(
      keys,
      {
        referralId: referral.referralId,
        organizationId: storedDecision.organizationId,
        referredAt: referral.referredAt,
      },
      new Date(Date.parse(referral.referredAt) + (deps.policy.repeatWindowDays + 1) * 24 * 60 * 60 * 1000),
    );
    deps.log.info('Referral routed', {
      referralId: referral.referralId,
      organizationId: storedDecision.organizationId,
      reason: storedDecision.reason,
      candidates: storedDecision.candidates.length,
    });
  }
  return stored;
}

async function markInDoubt(
  deps: RouteReferralDeps,
  referral: Referral,
  organizationId: string,
  attempts: number,
  errorCode: string,
): Promise<RouteReferralResult> {
  await deps.referrals.markLeadInDoubt(referral.referralId, errorCode);
  deps.log.error('Lead email in doubt: not sent again automatically; check with the organization', {
    referralId: referral.referralId,
    organizationId,
    errorCode,
  });
  await deps.events.publish([failedEvent(referral, organizationId, 'DeliveryInDoubt', attempts, false, deps.clock())]);
  return { outcome: 'in-doubt', organizationId };
}

function deliveredEvents(referral: Referral, decision: RoutingDecision, messageId: string, at: Date): OutgoingEvent[] {
  const organizationId = decision.organizationId!;
  return [
    buildEvent(
      ReferralRouted,
      {
        referralId: referral.referralId,
        organizationId,
        assisterType: referral.assisterType,
        countyFips: referral.consumer.countyFips,
        reason: decision.reason,
        ...(decision.repeatOfReferralId && { repeatOfReferralId: decision.repeatOfReferralId }),
      },
      `${referral.referralId}:routed:${organizationId}`,
      at,
    ),
    buildEvent(
      LeadEmailed,
      { referralId: referral.referralId, organizationId, messageId, repeat: decision.repeatOfReferralId !== undefined },
      `${referral.referralId}:lead-emailed:${organizationId}`,
      at,
    ),
  ];
}

function unroutableEvent(referral: Referral, decision: RoutingDecision, at: Date): OutgoingEvent {
  return buildEvent(
    ReferralUnroutable,
    {
      referralId: referral.referralId,
      assisterType: referral.assisterType,
      countyFips: referral.consumer.countyFips,
      reason: decision.reason,
      candidatesConsidered: decision.candidates.length,
    },
    `${referral.referralId}:unroutable`,
    at,
  );
}

function failedEvent(
  referral: Referral,
  organizationId: string,
  errorCode: string,
  attempts: number,
  retryable: boolean,
  at: Date,
): OutgoingEvent {
  return buildEvent(
    LeadEmailFailed,
    { referralId: referral.referralId, organizationId, errorCode, attempts, retryable },
    `${referral.referralId}:lead-email-failed:${organizationId}:${attempts}`,
    at,
  );
}
