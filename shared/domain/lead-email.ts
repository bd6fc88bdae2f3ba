import { DETERMINATION_LABELS } from './assister-type';
import { addMinnesotaBusinessDays } from './business-days';
import { HELP_REASONS } from './help-reason';
import { languageName } from './languages';
import { addDays, minnesotaDateOf } from './minnesota-time';
import type { Organization } from './organization';
import { formatUsPhone } from './phone';
import type { Referral } from './referral';
import { emailDocument, escapeHtml } from '../format/html';

/** The program's expectations (OE5 policy): contact within 2 business days, an appointment within two weeks. */
export const CONTACT_WITHIN_BUSINESS_DAYS = 2;
export const APPOINTMENT_WITHIN_DAYS = 14;

export interface LeadEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface LeadDeadlines {
  readonly receivedOn: string;
  readonly contactBy: string;
  readonly appointmentBy: string;
}

/**
 * Deadlines run from the day the organization receives the lead: the referral's own date, or the
 * day it is emailed when that is later (a lead delayed by an outage still gets its full two days).
 */
export function leadDeadlines(referredAt: string, emailedAt: Date): LeadDeadlines {
  const referredOn = minnesotaDateOf(new Date(referredAt));
  const sentOn = minnesotaDateOf(emailedAt);
  const receivedOn = sentOn > referredOn ? sentOn : referredOn;
  return {
    receivedOn,
    contactBy: addMinnesotaBusinessDays(receivedOn, CONTACT_WITHIN_BUSINESS_DAYS),
    appointmentBy: addDays(receivedOn, APPOINTMENT_WITHIN_DAYS),
  };
}

/** How an organization receives its leads (per organization; `secure-link` unless it asked for `inline`). */
export type LeadDeliveryMode = 'secure-link' | 'inline';

/**
 * `secure-link`: the email carries no consumer PII, only what locates the lead and its deadlines,
 * and a signed, expiring link to the lead page. `inline`: everything in the body (SES requires TLS).
 */
export type LeadDelivery = { mode: 'inline' } | { mode: 'secure-link'; url: string; expiresOn: string };

export type LeadRow = readonly [label: string, value: string];

/** The lead, as rows: what locates it (no PII) and what identifies and describes the consumer. */
export function leadRows(
  referral: Referral,
  organization: Pick<Organization, 'type'>,
  deadlines: LeadDeadlines,
): { locating: LeadRow[]; consumer: LeadRow[] } {
  const c = referral.consumer;
  const k = referral.case;
  const yesNo = (b: boolean) => (b ? 'Yes' : 'No');
  const determinations =
    k.determinations.length === 0 ? 'None' : k.determinations.map((d) => DETERMINATION_LABELS[d]).join(', ');
  return {
    locating: [
      ['Referral id', referral.referralId],
      ['Referred on', minnesotaDateOf(new Date(referral.referredAt))],
      [
        'Contact the consumer by',
        `${longDate(deadlines.contactBy)} (within ${CONTACT_WITHIN_BUSINESS_DAYS} business days)`,
      ],
      ['Hold an appointment by', `${longDate(deadlines.appointmentBy)} (within two weeks)`],
      ['County', `${c.countyName} (${c.countyFips})`],
      ['Assister type', organization.type],
    ],
    consumer: [
      ['Consumer', `${c.firstName} ${c.lastName}`],
      ['Phone', formatUsPhone(c.phone)],
      ['Email', c.email ?? 'Not given'],
      ['Preferred contact method', c.preferredContactMethod],
      ['Preferred language', c.preferredLanguage ? languageName(c.preferredLanguage) : 'Not stated'],
      ['ZIP code', c.zip ?? 'Not given'],
      ['Does the consumer have an active account?', yesNo(k.hasActiveAccount)],
      ['Does the consumer have an active application?', yesNo(k.hasActiveApplication)],
      ["Household's current determination(s)", determinations],
      ['Why the consumer is seeking help', `${HELP_REASONS[k.helpReason.category]}: ${k.helpReason.details}`],
      ['Guidance the consumer was given', k.guidanceGiven],
      ['Did the consumer consent to have their information sent to an assister?', yesNo(referral.consentToShare)],
    ],
  };
}

/** The sentence that tells an organization a lead is a repeat. */
export function repeatNote(organizationName: string, repeatOfReferralId?: string): string | undefined {
  return repeatOfReferralId
    ? `This is a repeat referral: the consumer was referred to ${organizationName} before (${repeatOfReferralId}).`
    : undefined;
}

/** The lead email: no PII in the subject line; in `inline` mode every field the program lists. */
export function composeLeadEmail(
  referral: Referral,
  organization: Pick<Organization, 'name' | 'type'>,
  deadlines: LeadDeadlines,
  programContact: string,
  repeatOfReferralId: string | undefined,
  delivery: LeadDelivery,
): LeadEmail {
  const { locating, consumer } = leadRows(referral, organization, deadlines);
  const rows = delivery.mode === 'inline' ? [...locating.slice(0, 4), ...consumer, ...locating.slice(4)] : locating;
  const repeat = repeatNote(organization.name, repeatOfReferralId);
  const subject = `${repeat ? 'Repeat PAL referral' : 'New PAL referral'} ${referral.referralId} — ${referral.consumer.countyName} County`;
  const intro = `MNsure's contact center referred a consumer to ${organization.name} through the Preferred Assister Lead program.`;
  const link =
    delivery.mode === 'secure-link'
      ? `Open the lead (the consumer's contact details and case facts) on MNsure's secure page: ${delivery.url}\nThe link works until ${longDate(delivery.expiresOn)}; each view is recorded.`
      : undefined;
  const outro = `Questions about this lead, a change to your designated contact, or a pause in accepting leads: reply to this email or write to ${programContact}.`;

  const text = [
    intro,
    ...(repeat ? ['', repeat] : []),
    '',
    ...rows.map(([k2, v]) => `${k2}: ${v}`),
    ...(link ? ['', link] : []),
    '',
    outro,
    '',
  ].join('\n');
  const html = emailDocument(subject, [
    `<p>${escapeHtml(intro)}</p>`,
    repeat ? `<p><strong>${escapeHtml(repeat)}</strong></p>` : '',
    leadTableHtml(rows),
    delivery.mode === 'secure-link'
      ? `<p><a href="${escapeHtml(delivery.url)}">Open the lead on MNsure's secure page</a> (the consumer's contact details and case facts). The link works until ${escapeHtml(longDate(delivery.expiresOn))}; each view is recorded.</p>`
      : '',
    `<p>${escapeHtml(outro)}</p>`,
  ]);
  return { subject, text, html };
}

export function leadTableHtml(rows: readonly LeadRow[]): string {
  return [
    '<table cellpadding="4" style="border-collapse:collapse">',
    ...rows.map(
      ([k2, v]) =>
        `<tr><th scope="row" align="left" style="border-bottom:1px solid #ddd">${escapeHtml(k2)}</th><td style="border-bottom:1px solid #ddd">${escapeHtml(v)}</td></tr>`,
    ),
    '</table>',
  ].join('\n');
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
export function longDate(iso: string): string {
  const d = new Date(`${iso}T12:00:00Z`);
  return `${WEEKDAYS[d.getUTCDay()]} ${iso}`;
}
