import { validateReferralRequest } from '../../shared/domain/referral';
import { NOW, MINUTE_MS, EXAMPLE, Body, body, inFuture } from '../support/referral-bodies';

describe('validateReferralRequest', () => {
  it('accepts the example referral as it is', () => {
    // Act
    const result = validateReferralRequest(body(), NOW);

    // Assess
    expect(result).toEqual({ ok: true, request: JSON.parse(EXAMPLE) });
  });

  it.each<[string, (b: Body) => void, string, string]>([
    ['an unknown county', (b) => (b.consumer.county = 'Hennepinn'), 'consumer.county', 'minnesota-county'],
    ['a county of another state by FIPS', (b) => (b.consumer.county = '55079'), 'consumer.county', 'minnesota-county'],
    ['consent refused', (b) => (b.consentToShare = false), 'consentToShare', 'consent-required'],
    ['consent missing', (b) => delete b.consentToShare, 'consentToShare', 'required'],
    ['a broker for an MA case', (b) => (b.requestedAssisterType = 'broker'), 'requestedAssisterType', 'assister-type'],
    [
      'a broker for a MinnesotaCare case',
      (b) => {
        b.case.determinations = ['minnesotacare'];
        b.requestedAssisterType = 'broker';
      },
      'requestedAssisterType',
      'assister-type',
    ],
    [
      'a broker for a consumer with no application',
      (b) => {
        b.case.hasActiveApplication = false;
        b.case.determinations = [];
        b.requestedAssisterType = 'broker';
      },
      'requestedAssisterType',
      'assister-type',
    ],
    [
      'a navigator for a QHP-only case',
      (b) => {
        b.case.determinations = ['qhp'];
        b.requestedAssisterType = 'navigator';
      },
      'requestedAssisterType',
      'assister-type',
    ],
    ['a 7-digit phone', (b) => (b.consumer.phone = '555-0142'), 'consumer.phone', 'us-phone'],
    [
      'a phone whose area code starts with 0',
      (b) => (b.consumer.phone = '(012) 555-0142'),
      'consumer.phone',
      'us-phone',
    ],
    ['a phone that is words', (b) => (b.consumer.phone = 'call me'), 'consumer.phone', 'us-phone'],
    ['an unknown top-level field', (b) => (b.notes = 'x'), 'notes', 'unknown-field'],
    ['an unknown consumer field', (b) => (b.consumer.middleName = 'Q'), 'consumer.middleName', 'unknown-field'],
    [
      'an unknown field two levels down',
      (b) => (b.case.helpReason.urgency = 'high'),
      'case.helpReason.urgency',
      'unknown-field',
    ],
    [
      'determinations without an application',
      (b) => (b.case.hasActiveApplication = false),
      'case.determinations',
      'no-determination-without-application',
    ],
    [
      'a determination listed twice',
      (b) => (b.case.determinations = ['medical-assistance', 'medical-assistance']),
      'case.determinations',
      'unique',
    ],
    ['an unknown determination', (b) => (b.case.determinations = ['medicare']), 'case.determinations[0]', 'one-of'],
    ['referredAt 3 minutes ahead', (b) => (b.referredAt = inFuture(3 * MINUTE_MS)), 'referredAt', 'not-in-future'],
    ['referredAt tomorrow', (b) => (b.referredAt = '2026-11-19T16:00:00-06:00'), 'referredAt', 'not-in-future'],
    ['referredAt without an offset', (b) => (b.referredAt = '2026-11-18T10:00:00'), 'referredAt', 'format:datetime'],
    ['referredAt as a date only', (b) => (b.referredAt = '2026-11-18'), 'referredAt', 'format:datetime'],
    ['referredAt in US format', (b) => (b.referredAt = '11/18/2026 10:00 AM'), 'referredAt', 'format:datetime'],
    [
      'email contact without an email',
      (b) => {
        b.consumer.preferredContactMethod = 'email';
        delete b.consumer.email;
      },
      'consumer.email',
      'email-for-email-contact',
    ],
    ['a non-Minnesota ZIP', (b) => (b.consumer.zip = '90210'), 'consumer.zip', 'minnesota-zip'],
    ['a bad email', (b) => (b.consumer.email = 'avery.example@'), 'consumer.email', 'format:email'],
    ['an email that is words', (b) => (b.consumer.email = 'none given'), 'consumer.email', 'format:email'],
    ['no first name', (b) => delete b.consumer.firstName, 'consumer.firstName', 'required'],
    ['an empty first name', (b) => (b.consumer.firstName = ''), 'consumer.firstName', 'required'],
    ['no last name', (b) => delete b.consumer.lastName, 'consumer.lastName', 'required'],
    ['no guidance given', (b) => delete b.case.guidanceGiven, 'case.guidanceGiven', 'required'],
    ['no CRM referral id', (b) => delete b.crmReferralId, 'crmReferralId', 'required'],
    [
      'guidance over 2000 characters',
      (b) => (b.case.guidanceGiven = 'g'.repeat(2001)),
      'case.guidanceGiven',
      'max-length',
    ],
    [
      'help details over 2000 characters',
      (b) => (b.case.helpReason.details = 'd'.repeat(2001)),
      'case.helpReason.details',
      'max-length',
    ],
    [
      'an unknown contact method',
      (b) => (b.consumer.preferredContactMethod = 'fax'),
      'consumer.preferredContactMethod',
      'one-of',
    ],
    ['consent as a string', (b) => (b.consentToShare = 'yes'), 'consentToShare', 'type'],
  ])('refuses %s, naming %s and the rule %s', (_label, edit, field, rule) => {
    // Act
    const result = validateReferralRequest(body(edit), NOW);

    // Assess
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toContainEqual(expect.objectContaining({ field, rule }));
    expect(result.issues.every((i) => i.field === field)).toBe(true);
    expect(result.issues.every((i) => i.message.length > 0)).toBe(true);
  });

  it.each<[string, (b: Body) => void]>([
    ['county by FIPS 27137', (b) => (b.consumer.county = '27137')],
    ["county by name 'st. louis'", (b) => (b.consumer.county = 'st. louis')],
    ["county by name ' RAMSEY county '", (b) => (b.consumer.county = ' RAMSEY county ')],
    ["phone '+1 612 555 0142'", (b) => (b.consumer.phone = '+1 612 555 0142')],
    ["phone '612.555.0142'", (b) => (b.consumer.phone = '612.555.0142')],
    ["phone '16125550142'", (b) => (b.consumer.phone = '16125550142')],
    ["phone '612-555-0142'", (b) => (b.consumer.phone = '612-555-0142')],
    ['referredAt 1 minute ahead (clock skew)', (b) => (b.referredAt = inFuture(MINUTE_MS))],
    ['referredAt an hour ago with a Minnesota offset', (b) => (b.referredAt = '2026-11-18T09:00:00-06:00')],
    [
      'a broker for a QHP-only case',
      (b) => {
        b.case.determinations = ['qhp'];
        b.requestedAssisterType = 'broker';
      },
    ],
    ['a navigator for an MA + QHP case', (b) => (b.requestedAssisterType = 'navigator')],
    [
      'an application awaiting its determination',
      (b) => {
        b.case.determinations = [];
      },
    ],
    [
      'email contact with an email',
      (b) => {
        b.consumer.preferredContactMethod = 'email';
      },
    ],
    [
      'no email and no ZIP for phone contact',
      (b) => {
        delete b.consumer.email;
        delete b.consumer.zip;
      },
    ],
    ['a ZIP+4 in Minnesota', (b) => (b.consumer.zip = '55404-1234')],
    ['guidance of exactly 2000 characters', (b) => (b.case.guidanceGiven = 'g'.repeat(2000))],
  ])('accepts %s', (_label, edit) => {
    // Act
    const result = validateReferralRequest(body(edit), NOW);

    // Assess
    expect(result.ok ? [] : result.issues).toEqual([]);
  });

  it('says which type is right when the representative picks a broker for an MA case', () => {
    // Act
    const result = validateReferralRequest(
      body((b) => (b.requestedAssisterType = 'broker')),
      NOW,
    );

    // Assess
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.issues[0]?.message).toMatch(/navigator/);
  });

  it.each<[string, unknown]>([
    ['an array', [JSON.parse(EXAMPLE)]],
    ['null', null],
    ['a string', EXAMPLE],
    ['a number', 42],
  ])('refuses a body that is %s with one issue on the body itself', (_label, input) => {
    // Act
    const result = validateReferralRequest(input, NOW);

    // Assess
    expect(result).toEqual({ ok: false, issues: [expect.objectContaining({ field: 'body', rule: 'type' })] });
  });

  it('reports every problem of a body with several at once', () => {
    // Prepare
    const bad = body((b) => {
      b.consumer.phone = 'call me';
      b.consumer.zip = '90210';
      b.consumer.email = 'nope';
      b.case.determinations = ['qhp', 'qhp'];
      b.consentToShare = false;
      b.extra = true;
    });

    // Act
    const result = validateReferralRequest(bad, NOW);

    // Assess
    expect(result.ok).toBe(false);
    const found = result.ok ? [] : result.issues.map((i) => `${i.field} ${i.rule}`);
    expect(found.sort()).toEqual(
      [
        'extra unknown-field',
        'consumer.phone us-phone',
        'consumer.zip minnesota-zip',
        'consumer.email format:email',
        'case.determinations unique',
        'consentToShare consent-required',
      ].sort(),
    );
  });

  it('reports a refused consent alongside a missing first name', () => {
    // Prepare: the CRM must learn both at once, not fix one and be refused again for the other.
    const bad = body((b) => {
      delete b.consumer.firstName;
      b.consentToShare = false;
    });

    // Act
    const result = validateReferralRequest(bad, NOW);

    // Assess
    const found = result.ok ? [] : result.issues.map((i) => `${i.field} ${i.rule}`);
    expect(found.sort()).toEqual(['consentToShare consent-required', 'consumer.firstName required']);
  });

  it('reports a wrong assister type alongside a missing guidance', () => {
    // Prepare
    const bad = body((b) => {
      delete b.case.guidanceGiven;
      b.requestedAssisterType = 'broker';
    });

    // Act
    const result = validateReferralRequest(bad, NOW);

    // Assess
    const found = result.ok ? [] : result.issues.map((i) => `${i.field} ${i.rule}`);
    expect(found.sort()).toEqual(['case.guidanceGiven required', 'requestedAssisterType assister-type']);
  });

  it('reports a future referredAt alongside a bad phone', () => {
    // Prepare
    const bad = body((b) => {
      b.consumer.phone = 'call me';
      b.referredAt = inFuture(24 * 60 * MINUTE_MS);
    });

    // Act
    const result = validateReferralRequest(bad, NOW);

    // Assess
    const found = result.ok ? [] : result.issues.map((i) => `${i.field} ${i.rule}`);
    expect(found.sort()).toEqual(['consumer.phone us-phone', 'referredAt not-in-future']);
  });
});
