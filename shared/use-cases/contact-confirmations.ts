import { LeadContactUnconfirmed } from '../../events/contact-events';
import { buildEvent } from '../../events/envelope';
import type { ContactConfirmationPolicy } from '../domain/contact-confirmation';
import {
  composeContactConfirmationEmail,
  confirmationDue,
  confirmedSinceAsked,
  contactLinkSubject,
  unconfirmedSince,
} from '../domain/contact-confirmation';
import { RetryLaterError } from '../domain/errors';
import type { IsoDate } from '../domain/minnesota-time';
import { addDays, minnesotaDateOf, startOfMinnesotaDay } from '../domain/minnesota-time';
import type { Organization } from '../domain/organization';
import type { LinkCheck } from '../domain/signed-link';
import { checkLinkToken, deriveKey, issueLinkToken } from '../domain/signed-link';
import type { EventPublisher } from '../ports/event-publisher.port';
import { MailerError } from '../ports/mailer.port';
import type { Mailer } from '../ports/mailer.port';
import type { ContactMetrics } from '../ports/metrics.port';
import type { DirectoryAdminDeps } from './admin/organizations';
import { changeOrganization } from './admin/organizations';

/** Who records the requests and the flags in the audit. */
export const CONFIRMATIONS_ACTOR = 'contact-confirmations';
const FLAGGED_ACTION = 'lead-contact-unconfirmed-flagged';

export interface ContactConfirmationsDeps extends DirectoryAdminDeps {
  readonly mailer: Mailer;
  readonly events: EventPublisher;
  readonly metrics: ContactMetrics;
  readonly policy: ContactConfirmationPolicy;
  /** Base URL of the public links API, e.g. https://links.pal.example.org */
  readonly publicApiUrl: string;
  readonly signingSecret: Buffer;
  readonly programContact: string;
}

export interface ContactConfirmationsResult {
  readonly date: IsoDate;
  /** Organizations emailed a "confirm your lead contact" request by this run. */
  readonly asked: readonly string[];
  /** Organizations flagged to ops by this run (once per request). */
  readonly flagged: readonly string[];
  /** Active organizations asked too long ago and still unconfirmed (the UnconfirmedContacts metric). */
  readonly unconfirmed: number;
}

/**
 * Lead contact confirmation, for one Minnesota date:
 * 1. every active organization neither confirmed nor asked in the last 90 days (never confirmed
 *    counts as not confirmed) gets a "confirm your lead contact" email with a signed link, and the
 *    request is recorded on it (so a second run sends nothing twice);
 * 2. every active organization asked more than 14 days ago and unconfirmed since is flagged to ops
 *    once per request (`Lead Contact Unconfirmed`, recorded in the audit);
 * 3. the UnconfirmedContacts metric carries how many there are, for the ops alarm.
 * An email SES refuses does not stop the others; the run then fails so the scheduler retries it.
 */
export async function checkContactConfirmations(
  deps: ContactConfirmationsDeps,
  date: IsoDate,
): Promise<ContactConfirmationsResult> {
  const organizations = await deps.directory.list();
  const asked: string[] = [];
  const refused: string[] = [];
  for (const listed of organizations.filter((o) => confirmationDue(o, date, deps.policy))) {
    // The list is an index (eventually consistent): decide and save on the profile as it stands now.
    const organization = await deps.directory.get(listed.organizationId);
    if (!organization || !confirmationDue(organization, date, deps.policy)) continue;
    try {
      await askToConfirm(deps, organization);
      asked.push(organization.organizationId);
    } catch (error) {
      if (!(error instanceof MailerError)) throw error;
      deps.log.error('Contact confirmation email refused', {
        organizationId: organization.organizationId,
        errorCode: error.code,
      });
      refused.push(organization.organizationId);
    }
  }

  const flagged: string[] = [];
  let unconfirmed = 0;
  for (const organization of organizations) {
    const askedAt = unconfirmedSince(organization, date, deps.policy);
    if (askedAt === undefined) continue;
    unconfirmed++;
    if (await flagUnconfirmed(deps, organization, askedAt)) flagged.push(organization.organizationId);
  }
  deps.metrics.unconfirmedContacts(unconfirmed);
  deps.log.info('Contact confirmation check finished', {
    date,
    asked: asked.length,
    refused: refused.length,
    flagged: flagged.length,
    unconfirmed,
  });
  if (refused.length > 0) {
    throw new RetryLaterError(`${refused.length} contact confirmation email(s) were refused; run again`);
  }
  return { date, asked, flagged, unconfirmed };
}

/** Emails the request, then records it (a crash between the two sends it again next run: harmless). */
async function askToConfirm(deps: ContactConfirmationsDeps, organization: Organization): Promise<void> {
  const now = deps.clock();
  const expiresOn = addDays(minnesotaDateOf(now), deps.policy.linkDays);
  const token = issueLinkToken(
    {
      scope: 'contact-confirm',
      subject: contactLinkSubject(organization),
      organizationId: organization.organizationId,
      exp: Math.floor(startOfMinnesotaDay(addDays(expiresOn, 1)).getTime() / 1000),
    },
    deriveKey(deps.signingSecret, 'contact-confirm'),
  );
  const url = `${deps.publicApiUrl}/contacts/${encodeURIComponent(organization.organizationId)}/confirm?token=${token}`;
  const email = composeContactConfirmationEmail({
    organization,
    url,
    expiresOn,
    programContact: deps.programContact,
  });
  await deps.mailer.send({
    to: [organization.leadEmail],
    replyTo: [deps.programContact],
    ...email,
    // A bounce of this email marks the contact failing like a lead's would (ses-feedback).
    tags: { organizationId: organization.organizationId, purpose: 'contact-confirmation' },
  });
  await changeOrganization(
    deps,
    organization.organizationId,
    (current) => ({ ...current, leadContactConfirmationSentAt: now.toISOString() }),
    CONFIRMATIONS_ACTOR,
    'lead-contact-confirmation-sent',
  );
  deps.log.info('Contact confirmation requested', { organizationId: organization.organizationId });
}

/** Publishes `Lead Contact Unconfirmed` once per request: the audit remembers which request was flagged. */
async function flagUnconfirmed(
  deps: ContactConfirmationsDeps,
  organization: Organization,
  askedAt: string,
): Promise<boolean> {
  const { organizationId } = organization;
  const subject = `organization#${organizationId}`;
  const history = await deps.audit.list(subject);
  if (history.some((e) => e.action === FLAGGED_ACTION && e.newValue === askedAt)) return false;
  const now = deps.clock();
  await deps.events.publish([
    buildEvent(
      LeadContactUnconfirmed,
      {
        organizationId,
        askedAt,
        ...(organization.leadContactConfirmedAt && { lastConfirmedAt: organization.leadContactConfirmedAt }),
      },
      `${organizationId}:contact-unconfirmed:${askedAt}`,
      now,
    ),
  ]);
  await deps.audit.record({
    subject,
    at: now.toISOString(),
    action: FLAGGED_ACTION,
    actor: CONFIRMATIONS_ACTOR,
    field: 'leadContactConfirmationSentAt',
    newValue: askedAt,
  });
  deps.log.warn('Lead contact unconfirmed: flagged to ops', { organizationId });
  return true;
}

export type ContactConfirmDeps = Pick<DirectoryAdminDeps, 'directory' | 'audit' | 'log' | 'clock'> & {
  readonly signingSecret: Buffer;
};

export type ContactLinkCheck =
  | { ok: true; organization: Organization }
  | { ok: false; reason: Extract<LinkCheck, { ok: false }>['reason'] | 'unknown-organization' };

export type ContactConfirmResult =
  | { confirmed: true; organization: Organization; changed: boolean }
  | { confirmed: false; reason: Extract<LinkCheck, { ok: false }>['reason'] | 'unknown-organization' };

/**
 * Checks the link in the email without recording anything: the signed token must name this
 * organization and the address it was sent to, and must not have expired. Opening the link only
 * shows what would be confirmed: mail scanners open links too, and must not confirm a contact.
 */
export async function checkContactLink(
  deps: ContactConfirmDeps,
  organizationId: string,
  token: string | undefined,
): Promise<ContactLinkCheck> {
  const organization = await deps.directory.get(organizationId);
  const check = checkLinkToken(
    token,
    {
      scope: 'contact-confirm',
      // An unknown organization still has its token checked, so the answer takes no shortcut.
      subject: organization ? contactLinkSubject(organization) : `${organizationId}:unknown`,
    },
    deriveKey(deps.signingSecret, 'contact-confirm'),
    deps.clock(),
  );
  if (!check.ok) return { ok: false, reason: check.reason };
  if (!organization || check.claims.organizationId !== organizationId) {
    return { ok: false, reason: 'unknown-organization' };
  }
  return { ok: true, organization };
}

/**
 * The organization pressed Confirm on the linked page: the link is checked again, then the
 * confirmation is recorded and, since the email reached the contact, the contact is marked working
 * again (audited as the organization). Confirming again changes nothing.
 */
export async function confirmLeadContact(
  deps: ContactConfirmDeps,
  organizationId: string,
  token: string | undefined,
): Promise<ContactConfirmResult> {
  const link = await checkContactLink(deps, organizationId, token);
  if (!link.ok) return { confirmed: false, reason: link.reason };
  const { organization } = link;
  if (confirmedSinceAsked(organization) && organization.leadContactStatus?.state !== 'failing') {
    return { confirmed: true, organization, changed: false };
  }
  const { organization: saved } = await changeOrganization(
    deps,
    organizationId,
    (current) => ({
      ...current,
      leadContactConfirmedAt: deps.clock().toISOString(),
      leadContactStatus: { state: 'ok' },
    }),
    `organization:${organizationId}`,
    'lead-contact-confirmed',
  );
  return { confirmed: true, organization: saved, changed: true };
}
