import {
  composeContactConfirmationEmail,
  confirmationDue,
  confirmedSinceAsked,
  contactLinkSubject,
  DEFAULT_CONTACT_CONFIRMATION_POLICY as POLICY,
  unconfirmedSince,
} from '../../shared/domain/contact-confirmation';
import type { Organization } from '../../shared/domain/organization';
import { checkLinkToken, deriveKey, issueLinkToken } from '../../shared/domain/signed-link';

const TODAY = '2027-02-02';
/** Noon in Minnesota, `days` days before TODAY. */
const daysAgo = (days: number) => new Date(Date.parse(`${TODAY}T18:00:00Z`) - days * 86_400_000).toISOString();

const org = (changes: Partial<Organization> = {}): Organization => ({
  organizationId: 'north-star-community-clinic',
  name: 'North Star Community Clinic',
  type: 'navigator',
  leadEmail: 'leads@north-star-community-clinic.example.org',
  coverage: { kind: 'counties', counties: ['27053'] },
  languages: ['en'],
  status: { state: 'active' },
  ...changes,
});

describe('a confirmation request', () => {
  it.each([
    ['never confirmed nor asked (added without a confirmation)', {}, true],
    ['confirmed 89 days ago', { leadContactConfirmedAt: daysAgo(89) }, false],
    ['confirmed 90 days ago', { leadContactConfirmedAt: daysAgo(90) }, true],
    ['asked 89 days ago, never confirmed', { leadContactConfirmationSentAt: daysAgo(89) }, false],
    [
      'asked and confirmed 90 days ago or more',
      { leadContactConfirmationSentAt: daysAgo(120), leadContactConfirmedAt: daysAgo(110) },
      true,
    ],
    ['suspended', { status: { state: 'suspended' as const, reason: 'Staff vacancy', since: daysAgo(200) } }, false],
    [
      'with a failing contact (ops know; mail would bounce again)',
      { leadContactStatus: { state: 'failing' as const, since: daysAgo(3), reason: 'bounce' as const } },
      false,
    ],
    ['with a contact known to work but never confirmed', { leadContactStatus: { state: 'ok' as const } }, true],
  ])('is due for an organization %s: %s', (_label, changes, due) => {
    expect(confirmationDue(org(changes), TODAY, POLICY)).toBe(due);
  });
});

describe('an unconfirmed contact', () => {
  it.each([
    ['asked 14 days ago', { leadContactConfirmationSentAt: daysAgo(14) }, false],
    ['asked 15 days ago', { leadContactConfirmationSentAt: daysAgo(15) }, true],
    [
      'asked 15 days ago, confirmed since',
      { leadContactConfirmationSentAt: daysAgo(15), leadContactConfirmedAt: daysAgo(10) },
      false,
    ],
    [
      'asked 15 days ago, last confirmed before that',
      { leadContactConfirmationSentAt: daysAgo(15), leadContactConfirmedAt: daysAgo(105) },
      true,
    ],
    ['never asked', {}, false],
    [
      'asked 30 days ago but suspended',
      {
        leadContactConfirmationSentAt: daysAgo(30),
        status: { state: 'suspended' as const, reason: 'Staff vacancy', since: daysAgo(20) },
      },
      false,
    ],
  ])('is flagged when %s: %s', (_label, changes, flagged) => {
    const o = org(changes);
    expect(unconfirmedSince(o, TODAY, POLICY)).toBe(flagged ? o.leadContactConfirmationSentAt : undefined);
  });

  it('stops counting as unconfirmed once confirmed after the request', () => {
    expect(confirmedSinceAsked(org({ leadContactConfirmationSentAt: daysAgo(5) }))).toBe(false);
    expect(
      confirmedSinceAsked(org({ leadContactConfirmationSentAt: daysAgo(5), leadContactConfirmedAt: daysAgo(1) })),
    ).toBe(true);
    expect(confirmedSinceAsked(org({ leadContactConfirmedAt: daysAgo(1) }))).toBe(true);
  });
});

describe('a confirmation link', () => {
  const secret = Buffer.from('a-signing-secret-of-at-least-32-characters');
  const now = new Date(`${TODAY}T18:00:00Z`);
  const claims = (o: Organization) => ({
    scope: 'contact-confirm' as const,
    subject: contactLinkSubject(o),
    organizationId: o.organizationId,
    exp: Math.floor(now.getTime() / 1000) + 14 * 86_400,
  });

  it('confirms the address it was sent to, whatever its case, and no other', () => {
    const sent = org();
    const token = issueLinkToken(claims(sent), deriveKey(secret, 'contact-confirm'));
    const check = (o: Organization) =>
      checkLinkToken(
        token,
        { scope: 'contact-confirm', subject: contactLinkSubject(o) },
        deriveKey(secret, 'contact-confirm'),
        now,
      );

    expect(check(org({ leadEmail: 'LEADS@north-star-community-clinic.example.org' })).ok).toBe(true);
    expect(check(org({ leadEmail: 'intake@north-star-community-clinic.example.org' }))).toEqual({
      ok: false,
      reason: 'wrong-subject',
    });
  });

  it('is signed with its own key: it opens no lead page, and a lead link confirms nothing', () => {
    const o = org();
    const token = issueLinkToken(claims(o), deriveKey(secret, 'contact-confirm'));
    const lead = issueLinkToken({ ...claims(o), scope: 'lead-view' }, deriveKey(secret, 'lead-page'));

    expect(
      checkLinkToken(token, { scope: 'lead-view', subject: contactLinkSubject(o) }, deriveKey(secret, 'lead-page'), now)
        .ok,
    ).toBe(false);
    expect(
      checkLinkToken(
        lead,
        { scope: 'contact-confirm', subject: contactLinkSubject(o) },
        deriveKey(secret, 'contact-confirm'),
        now,
      ).ok,
    ).toBe(false);
  });
});

describe('the confirmation email', () => {
  it('names the organization, its address, the link and its last day, with nothing in the subject', () => {
    const email = composeContactConfirmationEmail({
      organization: org(),
      url: 'https://links.example.org/contacts/north-star-community-clinic/confirm?token=abc.def',
      expiresOn: '2027-02-16',
      programContact: 'assisterleads@mnsure.example.org',
    });

    expect(email.subject).toBe('Please confirm your PAL lead contact');
    for (const expected of [
      'North Star Community Clinic',
      'leads@north-star-community-clinic.example.org',
      'Tuesday, February 16, 2027',
      'Confirm the lead contact: https://links.example.org/contacts/north-star-community-clinic/confirm?token=abc.def',
      'assisterleads@mnsure.example.org',
    ]) {
      expect(email.text).toContain(expected);
    }
    expect(email.html).toContain(
      'href="https://links.example.org/contacts/north-star-community-clinic/confirm?token=abc.def"',
    );
  });
});
