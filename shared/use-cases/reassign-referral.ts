import { buildEvent } from '../../events/envelope';
import { ReferralReassigned } from '../../events/referral-events';
import { NotFoundError, RuleViolation } from '../domain/errors';
import { emailDocument, escapeHtml } from '../format/html';
import { decideRouting, routingRequestOf } from '../domain/routing';
import type { AuditLog } from '../ports/audit-log.port';
import type { RouteReferralDeps, RouteReferralResult } from './route-referral';
import { deliverLead } from './route-referral';
import { releaseLead } from './release-lead';

export interface ReassignDeps extends RouteReferralDeps {
  readonly audit: AuditLog;
}

export interface ReassignRequest {
  readonly referralId: string;
  /** The organization ops chose; absent: the next eligible one by the routing rules. */
  readonly toOrganizationId?: string;
  /** Who: an IAM principal, the CLI user, or `ses-bounce` for an automatic re-route. */
  readonly actor: string;
  readonly reason: string;
}

export interface ReassignResult {
  readonly referralId: string;
  readonly fromOrganizationId?: string;
  readonly toOrganizationId: string;
  readonly delivery: RouteReferralResult;
}

/**
 * Moves a referral to another organization (ops' reassignment, or a bounce's re-route):
 * 1. the target must be eligible by the program's rules (active, right type, serving the county,
 *    contact not failing) — ops' choice may exceed its capacity; without a target, routing picks the
 *    next eligible organization, never the current one;
 * 2. the referral is moved only if still where it was, with who and why, and its slot on the
 *    organizations' load counters with it (one atomic write: `releaseLead`);
 * 3. the lead is emailed to the new organization, the previous one is told not to act on it,
 *    the change is audited and `Referral Reassigned` published.
 */
export async function reassignReferral(deps: ReassignDeps, request: ReassignRequest): Promise<ReassignResult> {
  const referral = await deps.referrals.get(request.referralId);
  if (!referral) throw new NotFoundError(`Referral ${request.referralId} does not exist`);
  const from = referral.routing?.organizationId;
  if (request.toOrganizationId !== undefined && request.toOrganizationId === from) {
    throw new RuleViolation('toOrganizationId', 'different-organization', `the referral is already with ${from}`);
  }

  const candidates = (await deps.directory.candidatesFor(referral.assisterType, referral.consumer.countyFips)).filter(
    (o) => o.organizationId !== from,
  );
  if (
    request.toOrganizationId !== undefined &&
    !candidates.some((o) => o.organizationId === request.toOrganizationId)
  ) {
    const target = await deps.directory.get(request.toOrganizationId);
    if (!target) throw new NotFoundError(`Organization ${request.toOrganizationId} does not exist`);
    candidates.push(target);
  }
  const decision = decideRouting(routingRequestOf(referral), candidates, new Map(), deps.policy);
  const to = request.toOrganizationId ?? decision.organizationId;
  const chosen = decision.candidates.find((c) => c.organizationId === to);
  if (!to || !chosen) {
    throw new RuleViolation(
      'toOrganizationId',
      'eligible-organization',
      'no other eligible organization serves this referral',
    );
  }
  if (chosen.excludedBecause !== undefined && chosen.excludedBecause !== 'over-capacity') {
    throw new RuleViolation(
      'toOrganizationId',
      'eligible-organization',
      `${to} cannot take this referral: ${chosen.excludedBecause.replace(/-/g, ' ')}`,
    );
  }

  const now = deps.clock();
  const moved = await releaseLead(deps, referral, {
    ...decision,
    outcome: 'routed',
    organizationId: to,
    explanation: `Reassigned${from ? ` from ${from}` : ''} by ${request.actor}: ${request.reason}`,
    ...(from && { reassignedFrom: from }),
    reassignedBy: request.actor,
    decidedAt: now.toISOString(),
    ...(referral.routing?.windowId && { windowId: referral.routing.windowId }),
  });
  if (!moved)
    throw new RuleViolation(
      'referralId',
      'unchanged-meanwhile',
      'the referral was moved by someone else meanwhile; look again',
    );

  await deps.audit.record({
    subject: `referral#${referral.referralId}`,
    at: now.toISOString(),
    action: 'reassigned',
    actor: request.actor,
    field: 'organizationId',
    ...(from && { oldValue: from }),
    newValue: to,
  });
  deps.log.info('Referral reassigned', { referralId: referral.referralId, from, to });
  const delivery = await deliverLead(deps, moved);

  if (from) {
    const previous = await deps.directory.get(from);
    // A contact that bounced would only bounce the notice too.
    if (previous && previous.leadContactStatus?.state !== 'failing') {
      const noticeSubject = `PAL referral ${referral.referralId} reassigned`;
      const text = `MNsure has reassigned referral ${referral.referralId} to another organization. Please do not contact the consumer about it; it will not appear on your report. Questions: ${deps.programContact}.`;
      await deps.mailer.send({
        to: [previous.leadEmail],
        replyTo: [deps.programContact],
        subject: noticeSubject,
        text: `${text}\n`,
        html: emailDocument(noticeSubject, [`<p>${escapeHtml(text)}</p>`]),
        tags: { referralId: referral.referralId, organizationId: from },
      });
    }
  }
  await deps.events.publish([
    buildEvent(
      ReferralReassigned,
      {
        referralId: referral.referralId,
        ...(from && { fromOrganizationId: from }),
        toOrganizationId: to,
        actor: request.actor,
      },
      `${referral.referralId}:reassigned:${to}:${now.toISOString()}`,
      now,
    ),
  ]);
  return { referralId: referral.referralId, ...(from && { fromOrganizationId: from }), toOrganizationId: to, delivery };
}
