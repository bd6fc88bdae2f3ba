import { z } from 'zod';
import { defineEvent } from './envelope';

/*
 * Lead contact events carry organization, message and referral ids only: never an email address
 * (an organization's lead address is not consumer PII, but events are archived and replayed).
 */

const OrganizationId = z.string().min(1);
const ReferralId = z.string().regex(/^ref_[a-z2-7]{26}$/);
const Instant = z.iso.datetime({ offset: true });

export const LeadContactFailing = defineEvent(
  'Lead Contact Failing',
  1,
  z.strictObject({
    organizationId: OrganizationId,
    reason: z.enum(['bounce', 'complaint']),
    /** When SES saw the bounce or complaint; the organization's contact is failing from then on. */
    since: Instant,
    /** SES's id of the email that bounced or was complained about. */
    messageId: z.string().min(1),
    /** SES's bounce type/subtype (`Permanent/NoEmail`, `Permanent/Suppressed`) or complaint feedback type. */
    feedbackType: z.string().min(1).optional(),
    /** The referral whose lead email it was, when it was one (from the email's message tags). */
    referralId: ReferralId.optional(),
  }),
);

export const LeadContactUnconfirmed = defineEvent(
  'Lead Contact Unconfirmed',
  1,
  z.strictObject({
    organizationId: OrganizationId,
    /** When the "confirm your lead contact" email was sent: one event per request. */
    askedAt: Instant,
    /** The organization's last confirmation, if it ever confirmed. */
    lastConfirmedAt: Instant.optional(),
  }),
);
