import { createHash } from 'node:crypto';
import { emailDocument, escapeHtml } from '../format/html';
import type { IsoDate } from './minnesota-time';
import { daysBetween, minnesotaDateOf } from './minnesota-time';
import type { Organization } from './organization';
import { spokenDate } from './report-email';

/** How often organizations confirm their lead contact, and how long they have to. */
export interface ContactConfirmationPolicy {
  /** An organization confirmed or asked within this many days is not asked again. */
  readonly everyDays: number;
  /** Days the emailed link works. */
  readonly linkDays: number;
  /** An organization asked more than this many days ago and still unconfirmed is flagged to ops. */
  readonly flagAfterDays: number;
}

export const DEFAULT_CONTACT_CONFIRMATION_POLICY: ContactConfirmationPolicy = {
  everyDays: 90,
  linkDays: 14,
  flagAfterDays: 14,
};

/**
 * Whether the organization should be asked on this Minnesota date: active, its contact not known to
 * fail (ops already know; mail to it would only bounce again), and neither confirmed nor asked in
 * the last `everyDays` days. An organization that never confirmed counts as due.
 */
export function confirmationDue(org: Organization, date: IsoDate, policy: ContactConfirmationPolicy): boolean {
  if (org.status.state !== 'active' || org.leadContactStatus?.state === 'failing') return false;
  return (
    !within(org.leadContactConfirmedAt, date, policy.everyDays) &&
    !within(org.leadContactConfirmationSentAt, date, policy.everyDays)
  );
}

/**
 * When an active organization was asked, if that was more than `flagAfterDays` days before this date
 * and it has not confirmed since; undefined otherwise.
 */
export function unconfirmedSince(
  org: Organization,
  date: IsoDate,
  policy: ContactConfirmationPolicy,
): string | undefined {
  const askedAt = org.leadContactConfirmationSentAt;
  if (org.status.state !== 'active' || askedAt === undefined) return undefined;
  if (daysBetween(minnesotaDateOf(new Date(askedAt)), date) <= policy.flagAfterDays) return undefined;
  const confirmedAt = org.leadContactConfirmedAt;
  return confirmedAt !== undefined && Date.parse(confirmedAt) >= Date.parse(askedAt) ? undefined : askedAt;
}

/** Confirmed since it was last asked (or confirmed and never asked): a repeated click changes nothing. */
export function confirmedSinceAsked(org: Organization): boolean {
  const confirmedAt = org.leadContactConfirmedAt;
  if (confirmedAt === undefined) return false;
  const askedAt = org.leadContactConfirmationSentAt;
  return askedAt === undefined || Date.parse(confirmedAt) >= Date.parse(askedAt);
}

/**
 * What a confirmation link confirms: this organization's contact at this address. A link emailed to
 * an address ops have since replaced confirms nothing (its subject no longer matches).
 */
export function contactLinkSubject(org: Pick<Organization, 'organizationId' | 'leadEmail'>): string {
  const digest = createHash('sha256').update(org.leadEmail.trim().toLowerCase()).digest('base64url').slice(0, 16);
  return `${org.organizationId}:${digest}`;
}

export interface ContactConfirmationEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** The "confirm your lead contact" email: the organization's own name and address, a link, a deadline. */
export function composeContactConfirmationEmail(input: {
  organization: Pick<Organization, 'name' | 'leadEmail'>;
  url: string;
  expiresOn: IsoDate;
  programContact: string;
}): ContactConfirmationEmail {
  const paragraphs = [
    `MNsure emails Preferred Assister Lead (PAL) referrals for ${input.organization.name} to this address, ${input.organization.leadEmail}.`,
    `Please confirm that it is still the right designated contact for leads by opening the link below and pressing Confirm by ${spokenDate(input.expiresOn)}. MNsure asks every 90 days; if it is not confirmed, the PAL point of contact will follow up.`,
  ];
  const change = `If leads should go to another address, do not use the link: write to ${input.programContact}.`;
  const text = [...paragraphs, `Confirm the lead contact: ${input.url}`, change].join('\n\n');
  const subject = 'Please confirm your PAL lead contact';
  const html = emailDocument(subject, [
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    `<p><a href="${escapeHtml(input.url)}">Confirm the lead contact</a></p>`,
    `<p>${escapeHtml(change)}</p>`,
  ]);
  return { subject, text: `${text}\n`, html };
}

function within(instant: string | undefined, date: IsoDate, days: number): boolean {
  return instant !== undefined && daysBetween(minnesotaDateOf(new Date(instant)), date) < days;
}
