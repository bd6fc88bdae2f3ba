import { buildEvent } from '../../events/envelope';
import { ReferralCreated } from '../../events/referral-events';
import type { Referral } from '../domain/referral';
import { fingerprintOf, newReferral, validateReferralRequest } from '../domain/referral';
import type { FieldIssue } from '../domain/validation';
import type { EventPublisher } from '../ports/event-publisher.port';
import type { Log } from '../ports/logger.port';
import type { ReferralStore } from '../ports/referral-store.port';

export interface ReceiveReferralDeps {
  readonly referrals: ReferralStore;
  readonly events: EventPublisher;
  readonly log: Log;
  readonly clock: () => Date;
}

export type ReceiveReferralResult =
  | { kind: 'created'; referral: Referral }
  | { kind: 'existing'; referral: Referral }
  | { kind: 'conflict'; referralId: string }
  | { kind: 'invalid'; issues: FieldIssue[] };

/**
 * Intake (docs/architecture.md, flow 1):
 * 1. validate the body; refuse it naming each field and rule;
 * 2. store the referral (idempotent on the CRM's id: a retry finds the first one);
 * 3. publish `Referral Created`; if that fails the referral stays stored and the sweeper
 *    publishes it later, so the CRM still gets its answer.
 */
export async function receiveReferral(deps: ReceiveReferralDeps, body: unknown): Promise<ReceiveReferralResult> {
  const now = deps.clock();
  const validation = validateReferralRequest(body, now);
  if (!validation.ok) return { kind: 'invalid', issues: validation.issues };

  const candidate = newReferral(validation.request, fingerprintOf(body), now);
  const stored = await deps.referrals.create(candidate);
  if (!stored.created) {
    if (stored.existing.requestFingerprint !== candidate.requestFingerprint) {
      return { kind: 'conflict', referralId: stored.existing.referralId };
    }
    // A retry: the first attempt may have died before publishing; try once more now.
    if (stored.existing.publishedAt === undefined) await publishCreated(deps, stored.existing);
    return { kind: 'existing', referral: stored.existing };
  }
  deps.log.info('Referral stored', { referralId: candidate.referralId, assisterType: candidate.assisterType });
  await publishCreated(deps, candidate);
  return { kind: 'created', referral: candidate };
}

/** Publishes `Referral Created` and marks it published; a failure is logged and left to the sweeper. */
export async function publishCreated(deps: ReceiveReferralDeps, referral: Referral): Promise<boolean> {
  try {
    await deps.events.publish([createdEvent(referral, deps.clock())]);
    await deps.referrals.markPublished(referral.referralId, deps.clock().toISOString());
    return true;
  } catch (error) {
    deps.log.warn('Referral Created not published; the sweeper will retry', {
      referralId: referral.referralId,
      errorName: error instanceof Error ? error.name : 'unknown',
    });
    return false;
  }
}

export function createdEvent(referral: Referral, at: Date) {
  return buildEvent(
    ReferralCreated,
    {
      referralId: referral.referralId,
      crmReferralId: referral.crmReferralId,
      referredAt: referral.referredAt,
      countyFips: referral.consumer.countyFips,
      assisterType: referral.assisterType,
    },
    `${referral.referralId}:created`,
    at,
  );
}
