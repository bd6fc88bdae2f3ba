import { fingerprintOf, newReferral, referralIdFor } from '../../shared/domain/referral';
import { EXAMPLE, Body, body, validRequest } from '../support/referral-bodies';

describe('newReferral', () => {
  const receivedAt = new Date('2026-11-18T16:00:05.000Z');

  it('stores the phone as E.164, the county as FIPS and name, and the assister type by the program rule', () => {
    // Prepare
    const request = validRequest((b) => {
      b.consumer.phone = '612.555.0142';
      b.consumer.county = 'st louis';
      b.consumer.email = 'Avery.Example@Example.ORG';
      b.referredAt = '2026-11-18T09:58:00-06:00';
    });

    // Act
    const referral = newReferral(request, fingerprintOf(request), receivedAt);

    // Assess
    expect(referral.consumer).toMatchObject({
      phone: '+16125550142',
      countyFips: '27137',
      countyName: 'St. Louis',
      email: 'avery.example@example.org',
    });
    expect(referral).toMatchObject({
      referralId: referralIdFor('CRM-2026-000123'),
      crmReferralId: 'CRM-2026-000123',
      referredAt: '2026-11-18T15:58:00.000Z',
      receivedAt: '2026-11-18T16:00:05.000Z',
      assisterType: 'navigator',
      assisterTypeRule: 'public-program-determination',
      consentToShare: true,
      status: 'received',
    });
  });

  it.each<[string, (b: Body) => void, string, string]>([
    ['a QHP-only household', (b) => (b.case.determinations = ['qhp']), 'broker', 'qhp-only-determination'],
    [
      'a consumer with no application',
      (b) => {
        b.case.hasActiveApplication = false;
        b.case.determinations = [];
      },
      'navigator',
      'no-application',
    ],
    [
      'an application awaiting its determination',
      (b) => (b.case.determinations = []),
      'navigator',
      'no-determination-yet',
    ],
  ])('derives the assister type for %s', (_label, edit, type, rule) => {
    // Prepare
    const request = validRequest(edit);

    // Act
    const referral = newReferral(request, fingerprintOf(request), receivedAt);

    // Assess
    expect(referral.assisterType).toBe(type);
    expect(referral.assisterTypeRule).toBe(rule);
  });

  it('dates a referral sent without referredAt at its receipt', () => {
    // Prepare
    const request = validRequest();

    // Act
    const referral = newReferral(request, fingerprintOf(request), receivedAt);

    // Assess
    expect(referral.referredAt).toBe('2026-11-18T16:00:05.000Z');
  });
});

describe('referralIdFor', () => {
  it('gives the same id for the same CRM id, every time', () => {
    // Act
    const ids = [referralIdFor('CRM-2026-000123'), referralIdFor('CRM-2026-000123')];

    // Assess
    expect(ids[0]).toBe('ref_q7vhyzyrx3vk46vvlx43wiy6gm');
    expect(ids[1]).toBe(ids[0]);
  });

  it.each(['CRM-2026-000123', 'CRM-2026-000124', 'crm-2026-000123', 'x', 'A'.repeat(64)])(
    'derives an id of the event-catalog shape from %s',
    (crmId) => {
      // Act
      const id = referralIdFor(crmId);

      // Assess
      expect(id).toMatch(/^ref_[a-z2-7]{26}$/);
      expect(id).not.toContain(crmId);
    },
  );

  it('gives different CRM ids different referral ids', () => {
    // Prepare
    const crmIds = Array.from({ length: 200 }, (_, i) => `CRM-2026-${String(i).padStart(6, '0')}`);

    // Act
    const ids = new Set(crmIds.map(referralIdFor));

    // Assess
    expect(ids.size).toBe(crmIds.length);
  });
});

describe('fingerprintOf', () => {
  it('ignores key order and formatting, at every level', () => {
    // Prepare
    const example = JSON.parse(EXAMPLE) as Body;
    const reordered = {
      consentToShare: example.consentToShare,
      case: {
        ...example.case,
        helpReason: { details: example.case.helpReason.details, category: example.case.helpReason.category },
      },
      consumer: Object.fromEntries(Object.entries(example.consumer).reverse()),
      representativeId: example.representativeId,
      crmReferralId: example.crmReferralId,
    };

    // Act
    const [a, b, c] = [
      fingerprintOf(example),
      fingerprintOf(reordered),
      fingerprintOf(JSON.parse(JSON.stringify(example, null, 2))),
    ];

    // Assess
    expect(b).toBe(a);
    expect(c).toBe(a);
  });

  it.each<[string, (b: Body) => void]>([
    ['a different phone', (b) => (b.consumer.phone = '(612) 555-0143')],
    ['consent flipped', (b) => (b.consentToShare = false)],
    ['a number where a string was', (b) => (b.representativeId = 42)],
    ['an added field', (b) => (b.requestedAssisterType = 'navigator')],
    [
      'first and last name swapped',
      (b) => {
        b.consumer.lastName = 'Avery';
        b.consumer.firstName = 'Example';
      },
    ],
  ])('changes with %s', (_label, edit) => {
    // Act
    const [before, after] = [fingerprintOf(body()), fingerprintOf(body(edit))];

    // Assess
    expect(after).not.toBe(before);
  });
});
