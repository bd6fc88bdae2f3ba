import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeLeadEmail, leadDeadlines } from '../../shared/domain/lead-email';
import type { LeadDeadlines } from '../../shared/domain/lead-email';
import type { Referral } from '../../shared/domain/referral';
import { fingerprintOf, newReferral, validateReferralRequest } from '../../shared/domain/referral';

const EXAMPLE = readFileSync(join(__dirname, '..', '..', 'examples', 'referral.json'), 'utf8');
const ORGANIZATION = { name: 'Twin Cities Health Navigators', type: 'navigator' as const };
const PROGRAM_CONTACT = 'pal@mnsure.example.org';
const EARLIER_REFERRAL_ID = 'ref_bbbbbbbbbbbbbbbbbbbbbbbbbb';
// Wednesday before Thanksgiving 2017, 3 pm in Minnesota.
const REFERRED_AT = '2017-11-22T15:00:00-06:00';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The example referral as intake stores it, optionally changed first. */
function referral(edit: (b: Body) => void = () => undefined, referredAt = REFERRED_AT): Referral {
  const body = JSON.parse(EXAMPLE) as Body;
  body.referredAt = referredAt;
  edit(body);
  const receivedAt = new Date(Date.parse(referredAt) + 1000);
  const result = validateReferralRequest(body, receivedAt);
  if (!result.ok) throw new Error(`example referral refused: ${JSON.stringify(result.issues)}`);
  return newReferral(result.request, fingerprintOf(body), receivedAt);
}

function email(r: Referral, repeatOf?: string) {
  const deadlines = leadDeadlines(r.referredAt, new Date(r.referredAt));
  return composeLeadEmail(r, ORGANIZATION, deadlines, PROGRAM_CONTACT, repeatOf, { mode: 'inline' });
}

/** The value on the text line whose label matches, e.g. "Phone: (612) 555-0142". */
function textValue(text: string, label: RegExp): string | undefined {
  const line = text.split('\n').find((l) => label.test(l.split(': ')[0] ?? ''));
  return line?.slice(line.indexOf(': ') + 2);
}

/** The value of the table row whose header matches, as a reader sees it (entities decoded). */
function htmlValue(html: string, label: RegExp): string | undefined {
  const decode = (s: string) => s.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
  for (const [, th, td] of html.matchAll(/<th[^>]*>(.*?)<\/th><td[^>]*>(.*?)<\/td>/g)) {
    if (label.test(decode(th ?? ''))) return decode(td ?? '');
  }
  return undefined;
}

const FIELDS: [string, RegExp, string][] = [
  ['active account?', /active account\?/i, 'Yes'],
  ['active application?', /active application\?/i, 'Yes'],
  ['determination(s)', /determination/i, 'Medical Assistance, Qualified Health Plan (QHP)'],
  [
    'why the consumer seeks help, with the free text',
    /seeking help/i,
    'Questions about an eligibility determination or a notice: Household got an MA notice for the children and a QHP determination for the parents; wants help understanding both.',
  ],
  [
    'guidance given',
    /guidance/i,
    'Explained the notice; told the consumer a navigator will call within two business days.',
  ],
  ['consent', /consent/i, 'Yes'],
  ['name', /^consumer$/i, 'Avery Example'],
  ['phone, formatted', /^phone$/i, '(612) 555-0142'],
  ['email', /^email$/i, 'avery.example@example.org'],
  ['county', /^county$/i, 'Hennepin (27053)'],
  ['contact-by date', /contact the consumer by/i, 'Tuesday 2017-11-28 (within 2 business days)'],
  ['appointment-by date', /appointment by/i, 'Wednesday 2017-12-06 (within two weeks)'],
  ['referral date', /referred on/i, '2017-11-22'],
];

describe('composeLeadEmail', () => {
  it.each(FIELDS)('shows the %s in the text part', (_field, label, expected) => {
    // Act
    const { text } = email(referral());

    // Assess
    expect(textValue(text, label)).toBe(expected);
  });

  it.each(FIELDS)('shows the %s in the HTML part', (_field, label, expected) => {
    // Act
    const { html } = email(referral());

    // Assess
    expect(htmlValue(html, label)).toBe(expected);
  });

  it.each<[string, (b: Body) => void, RegExp, string]>([
    ['no email', (b) => delete b.consumer.email, /^email$/i, 'Not given'],
    [
      'no application',
      (b) => {
        b.case.hasActiveApplication = false;
        b.case.determinations = [];
      },
      /active application\?/i,
      'No',
    ],
    ['an application awaiting its determination', (b) => (b.case.determinations = []), /determination/i, 'None'],
    ['no active account', (b) => (b.case.hasActiveAccount = false), /active account\?/i, 'No'],
    ['a phone typed as +1 612.555.0199', (b) => (b.consumer.phone = '+1 612.555.0199'), /^phone$/i, '(612) 555-0199'],
    ['a county given by FIPS', (b) => (b.consumer.county = '27137'), /^county$/i, 'St. Louis (27137)'],
  ])('says so plainly for a consumer with %s', (_label, edit, label, expected) => {
    // Act
    const { text, html } = email(referral(edit));

    // Assess
    expect(textValue(text, label)).toBe(expected);
    expect(htmlValue(html, label)).toBe(expected);
  });

  it('shows the Minnesota date of an evening referral as its referral date', () => {
    // Prepare: 7:30 pm in Minnesota on 2017-11-22 is already 2017-11-23 in UTC.
    const evening = referral(undefined, '2017-11-22T19:30:00-06:00');

    // Act
    const { text, html } = email(evening);

    // Assess
    expect(textValue(text, /referred on/i)).toBe('2017-11-22');
    expect(htmlValue(html, /referred on/i)).toBe('2017-11-22');
  });

  it.each<[string, string | undefined]>([
    ['a new referral', undefined],
    ['a repeat referral', EARLIER_REFERRAL_ID],
  ])('puts no name, phone or email in the subject of %s', (_label, repeatOf) => {
    // Prepare
    const r = referral();

    // Act
    const { subject } = email(r, repeatOf);

    // Assess
    for (const pii of ['Avery', 'Example', '612', '555', '0142', 'avery.example', '@']) {
      expect(subject).not.toContain(pii);
    }
    expect(subject).toContain(r.referralId);
  });

  it('escapes markup typed into the free text, so the HTML part shows it and runs nothing', () => {
    // Prepare
    const r = referral((b) => {
      b.case.helpReason.details = 'Needs help <script>alert("x")</script> & a <b>bold</b> plan';
      b.case.guidanceGiven = '<img src=x onerror=alert(1)>';
    });

    // Act
    const { html, text } = email(r);

    // Assess
    expect(html).not.toMatch(/<script|<img|<b>/i);
    expect(htmlValue(html, /seeking help/i)).toContain('Needs help <script>alert("x")</script> & a <b>bold</b> plan');
    expect(htmlValue(html, /guidance/i)).toBe('<img src=x onerror=alert(1)>');
    expect(textValue(text, /guidance/i)).toBe('<img src=x onerror=alert(1)>');
  });

  it('says a repeat referral is one, in the subject and in both bodies, naming the earlier referral', () => {
    // Act
    const { subject, text, html } = email(referral(), EARLIER_REFERRAL_ID);

    // Assess
    expect(subject).toMatch(/repeat/i);
    expect(text).toMatch(/repeat referral/i);
    expect(text).toContain(EARLIER_REFERRAL_ID);
    expect(html).toMatch(/repeat referral/i);
    expect(html).toContain(EARLIER_REFERRAL_ID);
  });

  it('does not call a first referral a repeat', () => {
    // Act
    const { subject, text, html } = email(referral());

    // Assess
    expect(subject).not.toMatch(/repeat/i);
    expect(text).not.toMatch(/repeat/i);
    expect(html).not.toMatch(/repeat/i);
  });

  it('tells the organization whom to ask about the lead', () => {
    // Act
    const { text, html } = email(referral());

    // Assess
    expect(text).toContain(PROGRAM_CONTACT);
    expect(html).toContain(PROGRAM_CONTACT);
    expect(text).toContain(ORGANIZATION.name);
  });
});

describe('leadDeadlines', () => {
  it.each<[string, string, string, LeadDeadlines]>([
    [
      'a Wednesday-before-Thanksgiving referral emailed at once',
      '2017-11-22T15:00:00-06:00',
      '2017-11-22T15:00:00-06:00',
      { receivedOn: '2017-11-22', contactBy: '2017-11-28', appointmentBy: '2017-12-06' },
    ],
    [
      'an evening referral emailed the same Minnesota evening (already the next day in UTC)',
      '2017-11-22T19:30:00-06:00',
      '2017-11-22T23:45:00-06:00',
      { receivedOn: '2017-11-22', contactBy: '2017-11-28', appointmentBy: '2017-12-06' },
    ],
    [
      'a Monday referral emailed two days late, on Wednesday',
      '2017-11-13T10:00:00-06:00',
      '2017-11-15T09:00:00-06:00',
      { receivedOn: '2017-11-15', contactBy: '2017-11-17', appointmentBy: '2017-11-29' },
    ],
    [
      'a Monday-before-Thanksgiving referral emailed two days late',
      '2017-11-20T10:00:00-06:00',
      '2017-11-22T10:00:00-06:00',
      { receivedOn: '2017-11-22', contactBy: '2017-11-28', appointmentBy: '2017-12-06' },
    ],
    [
      'a Friday referral emailed at once (the weekend does not count)',
      '2017-11-17T10:00:00-06:00',
      '2017-11-17T10:00:05-06:00',
      { receivedOn: '2017-11-17', contactBy: '2017-11-21', appointmentBy: '2017-12-01' },
    ],
  ])('for %s', (_label, referredAt, emailedAt, expected) => {
    // Act
    const deadlines = leadDeadlines(new Date(referredAt).toISOString(), new Date(emailedAt));

    // Assess
    expect(deadlines).toEqual(expected);
  });

  it('puts the late-email deadlines in the lead email', () => {
    // Prepare
    const r = referral(undefined, '2017-11-13T10:00:00-06:00');

    // Act
    const { text } = composeLeadEmail(
      r,
      ORGANIZATION,
      leadDeadlines(r.referredAt, new Date('2017-11-15T09:00:00-06:00')),
      PROGRAM_CONTACT,
      undefined,
      { mode: 'inline' },
    );

    // Assess
    expect(textValue(text, /contact the consumer by/i)).toBe('Friday 2017-11-17 (within 2 business days)');
    expect(textValue(text, /appointment by/i)).toBe('Wednesday 2017-11-29 (within two weeks)');
  });
});

describe('composeLeadEmail in secure-link mode (the default)', () => {
  const r = referral((b) => {
    b.consumer.firstName = 'Quentin';
    b.consumer.lastName = 'Zebulon';
    b.consumer.email = 'quentin.z@example.org';
    b.consumer.phone = '651-555-0177';
  });
  const delivery = {
    mode: 'secure-link' as const,
    url: 'https://leads.example.org/leads/ref_x?token=abc.def',
    expiresOn: '2017-12-06',
  };
  const { subject, text, html } = composeLeadEmail(
    r,
    ORGANIZATION,
    leadDeadlines(r.referredAt, new Date(r.referredAt)),
    PROGRAM_CONTACT,
    undefined,
    delivery,
  );

  it('carries no consumer PII or case facts, in the subject, text or HTML', () => {
    for (const part of [subject, text, html]) {
      expect(part).not.toMatch(
        /Quentin|Zebulon|quentin\.z|555-0177|5550177|55404|Household got an MA notice|Explained the notice/,
      );
    }
  });

  it('carries the referral id, county, assister type, the deadlines and the link', () => {
    expect(textValue(text, /^referral id$/i)).toBe(r.referralId);
    expect(textValue(text, /^county$/i)).toBe('Hennepin (27053)');
    expect(textValue(text, /^assister type$/i)).toBe('navigator');
    expect(textValue(text, /contact the consumer by/i)).toBe('Tuesday 2017-11-28 (within 2 business days)');
    expect(textValue(text, /appointment by/i)).toBe('Wednesday 2017-12-06 (within two weeks)');
    expect(text).toContain(delivery.url);
    expect(text).toContain('The link works until Wednesday 2017-12-06');
    expect(html).toContain(`href="${delivery.url}"`);
  });
});
