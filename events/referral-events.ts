import { z } from 'zod';
import { defineEvent } from './envelope';

/*
 * Events carry ids and program facts only, never a consumer's name, phone or email:
 * they are archived, replayed and dead-lettered, so they must be safe to read.
 */

const ReferralId = z.string().regex(/^ref_[a-z2-7]{26}$/);
const OrganizationId = z.string().min(1);
const AssisterType = z.enum(['navigator', 'broker']);
const CountyFips = z.string().regex(/^27\d{3}$/);

export const ReferralCreated = defineEvent(
  'Referral Created',
  1,
  z.strictObject({
    referralId: ReferralId,
    crmReferralId: z.string().min(1),
    referredAt: z.iso.datetime({ offset: true }),
    countyFips: CountyFips,
    assisterType: AssisterType,
  }),
);

export const ReferralRouted = defineEvent(
  'Referral Routed',
  1,
  z.strictObject({
    referralId: ReferralId,
    organizationId: OrganizationId,
    assisterType: AssisterType,
    countyFips: CountyFips,
    reason: z.string().min(1),
    repeatOfReferralId: ReferralId.optional(),
  }),
);

export const ReferralUnroutable = defineEvent(
  'Referral Unroutable',
  1,
  z.strictObject({
    referralId: ReferralId,
    assisterType: AssisterType,
    countyFips: CountyFips,
    reason: z.string().min(1),
    candidatesConsidered: z.number().int().nonnegative(),
  }),
);

export const LeadEmailed = defineEvent(
  'Lead Emailed',
  1,
  z.strictObject({
    referralId: ReferralId,
    organizationId: OrganizationId,
    messageId: z.string().min(1),
    repeat: z.boolean(),
  }),
);

export const LeadEmailFailed = defineEvent(
  'Lead Email Failed',
  1,
  z.strictObject({
    referralId: ReferralId,
    organizationId: OrganizationId,
    /** An error code or class, never a message that could echo an address. */
    errorCode: z.string().min(1),
    attempts: z.number().int().positive(),
    /** false when the email may or may not have gone out (a crash after SES accepted it): ops must check. */
    retryable: z.boolean(),
  }),
);

export const ReferralReassigned = defineEvent(
  'Referral Reassigned',
  1,
  z.strictObject({
    referralId: ReferralId,
    /** Absent when an unroutable referral was assigned by ops. */
    fromOrganizationId: OrganizationId.optional(),
    toOrganizationId: OrganizationId,
    /** An IAM principal, a CLI user, or ses-bounce: never a consumer's detail. */
    actor: z.string().min(1),
  }),
);
