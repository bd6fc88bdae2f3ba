import directory from '../../config/demo-directory.json';
import { MINNESOTA_COUNTIES } from '../../shared/domain/counties';
import { computeCoverage, countyCoverage, type CoverageReferral } from '../../shared/domain/coverage';
import { OrganizationSchema, type Organization } from '../../shared/domain/organization';

/*
 * Coverage of the demo directory (config/demo-directory.json): its navigators leave six northwest counties uncovered
 * on purpose, the only navigator of Cass, Crow Wing, Morrison and Todd is suspended, and brokers have one statewide
 * organization.
 */

const organizations: Organization[] = directory.organizations.map((org) => OrganizationSchema.parse(org));
const SINCE = '2017-11-01T05:00:00.000Z'; // midnight in Minnesota (CDT until Nov 5)

const HENNEPIN = '27053';
const RAMSEY = '27123';
const KITTSON = '27069';
const STEARNS = '27145';
const ST_LOUIS = '27137';

const NAVIGATOR_UNCOVERED = [
  '27021', // Cass (only navigator suspended)
  '27035', // Crow Wing (only navigator suspended)
  '27069', // Kittson
  '27077', // Lake of the Woods
  '27089', // Marshall
  '27097', // Morrison (only navigator suspended)
  '27113', // Pennington
  '27125', // Red Lake
  '27135', // Roseau
  '27153', // Todd (only navigator suspended)
];

function referral(countyFips: string, referredAt: string, extra: Partial<CoverageReferral> = {}): CoverageReferral {
  return { countyFips, assisterType: 'navigator', referredAt, ...extra };
}

describe('computeCoverage on the demo directory', () => {
  const coverage = computeCoverage({ organizations, referrals: [], since: SINCE });

  it('has one entry per county and assister type, ordered by FIPS then type', () => {
    // Assess
    expect(coverage.counties).toHaveLength(87 * 2);
    const expectedOrder = MINNESOTA_COUNTIES.flatMap((county) => [`${county.fips} navigator`, `${county.fips} broker`]);
    expect(coverage.counties.map((c) => `${c.countyFips} ${c.assisterType}`)).toEqual(expectedOrder);
  });

  it('finds exactly the six northwest counties and the four whose only navigator is suspended uncovered', () => {
    // Act
    const navigatorGaps = coverage.uncovered.filter((gap) => gap.assisterType === 'navigator');

    // Assess
    expect(navigatorGaps.map((gap) => gap.countyFips)).toEqual(NAVIGATOR_UNCOVERED);
    expect(navigatorGaps.map((gap) => gap.countyName)).toEqual([
      'Cass',
      'Crow Wing',
      'Kittson',
      'Lake of the Woods',
      'Marshall',
      'Morrison',
      'Pennington',
      'Red Lake',
      'Roseau',
      'Todd',
    ]);
  });

  it('does not count the suspended organization where it is the only navigator', () => {
    // Act
    const crowWing = countyCoverage(coverage, '27035', 'navigator');

    // Assess
    expect(crowWing).toMatchObject({
      level: 'uncovered',
      activeOrganizations: 0,
      countyOrganizations: 0,
      statewideOrganizations: 0,
      organizationIds: [],
      languages: [],
    });
  });

  it('finds no uncovered county for brokers, because a statewide broker exists', () => {
    // Assess
    expect(coverage.uncovered.filter((gap) => gap.assisterType === 'broker')).toEqual([]);
  });

  it('counts brokers outside the metro, Rochester and Duluth areas as county-only gaps served statewide only', () => {
    // Act
    const brokerGaps = coverage.countyOnlyGaps.filter((gap) => gap.assisterType === 'broker');
    const brokerCounties = new Set([
      ...['27053', '27123', '27003', '27037', '27163', '27139', '27019'], // metro
      ...['27109', '27039', '27099', '27049', '27157', '27169'], // Rochester
      ...['27137', '27017', '27075'], // Lake Superior
    ]);

    // Assess
    expect(brokerGaps).toHaveLength(87 - brokerCounties.size);
    expect(brokerGaps.some((gap) => brokerCounties.has(gap.countyFips))).toBe(false);
    expect(countyCoverage(coverage, KITTSON, 'broker')).toMatchObject({
      level: 'statewide-only',
      activeOrganizations: 1,
      countyOrganizations: 0,
      statewideOrganizations: 1,
      organizationIds: ['gopher-state-insurance-brokers'],
    });
  });

  it('counts county-specific and statewide organizations separately', () => {
    // Act
    const hennepinBrokers = countyCoverage(coverage, HENNEPIN, 'broker');

    // Assess: the metro center serves Hennepin itself, the statewide broker as a fallback.
    expect(hennepinBrokers).toMatchObject({
      level: 'county',
      activeOrganizations: 2,
      countyOrganizations: 1,
      statewideOrganizations: 1,
      organizationIds: ['metro-broker-enrollment-center', 'gopher-state-insurance-brokers'],
    });
  });

  it('lists the navigator county-only gaps as the uncovered counties, since no navigator is statewide', () => {
    // Assess
    expect(coverage.countyOnlyGaps.filter((gap) => gap.assisterType === 'navigator')).toEqual(
      coverage.uncovered.filter((gap) => gap.assisterType === 'navigator'),
    );
  });

  it('counts, per language, the active organizations offering it', () => {
    // Act
    const hennepin = countyCoverage(coverage, HENNEPIN, 'navigator');
    const stearns = countyCoverage(coverage, STEARNS, 'navigator');
    const stLouis = countyCoverage(coverage, ST_LOUIS, 'broker');

    // Assess: Twin Cities Health Navigators (en, es, so, hmn) and North Star (en, so, om, am) serve Hennepin.
    expect(hennepin?.languages).toEqual([
      { language: 'en', organizations: 2, countyOrganizations: 2, statewideOrganizations: 0 },
      { language: 'es', organizations: 1, countyOrganizations: 1, statewideOrganizations: 0 },
      { language: 'so', organizations: 2, countyOrganizations: 2, statewideOrganizations: 0 },
      { language: 'hmn', organizations: 1, countyOrganizations: 1, statewideOrganizations: 0 },
      { language: 'om', organizations: 1, countyOrganizations: 1, statewideOrganizations: 0 },
      { language: 'am', organizations: 1, countyOrganizations: 1, statewideOrganizations: 0 },
    ]);
    expect(stearns?.languages.map((l) => l.language)).toEqual(['en', 'es', 'so']);
    // Lake Superior Brokers (county) and the statewide broker both offer English only.
    expect(stLouis?.languages).toEqual([
      { language: 'en', organizations: 2, countyOrganizations: 1, statewideOrganizations: 1 },
    ]);
  });

  it('returns undefined for a FIPS code that is not a Minnesota county', () => {
    // Assess
    expect(countyCoverage(coverage, '55025', 'navigator')).toBeUndefined();
  });
});

describe('computeCoverage referral counts', () => {
  it('counts referrals by county and type from `since` on, inclusive', () => {
    // Prepare
    const referrals: CoverageReferral[] = [
      referral(HENNEPIN, '2017-11-01T05:00:00.000Z'), // exactly at since: counted
      referral(HENNEPIN, '2017-11-20T15:00:00.000Z'),
      referral(HENNEPIN, '2017-11-01T04:59:59.999Z'), // a millisecond earlier: not counted
      referral(HENNEPIN, '2017-11-21T15:00:00.000Z', { assisterType: 'broker' }),
      referral(KITTSON, '2017-11-22T15:00:00.000Z'),
      referral(KITTSON, '2017-10-30T15:00:00.000Z'),
    ];

    // Act
    const coverage = computeCoverage({ organizations, referrals, since: SINCE });

    // Assess
    expect(countyCoverage(coverage, HENNEPIN, 'navigator')?.referrals).toBe(2);
    expect(countyCoverage(coverage, HENNEPIN, 'broker')?.referrals).toBe(1);
    expect(countyCoverage(coverage, KITTSON, 'navigator')?.referrals).toBe(1);
    expect(countyCoverage(coverage, RAMSEY, 'navigator')?.referrals).toBe(0);
    expect(coverage.uncovered.find((gap) => gap.countyFips === KITTSON)).toEqual({
      countyFips: KITTSON,
      countyName: 'Kittson',
      assisterType: 'navigator',
      referrals: 1,
    });
  });

  it('compares instants, not strings, so an offset in `since` or `referredAt` does not shift the cut-off', () => {
    // Prepare: 2017-11-01T00:00-05:00 is the same instant as SINCE.
    const referrals = [
      referral(HENNEPIN, '2017-10-31T23:59:00-05:00'),
      referral(HENNEPIN, '2017-11-01T00:00:00-05:00'),
      referral(HENNEPIN, '2017-11-01T05:30:00.000Z'),
    ];

    // Act
    const coverage = computeCoverage({ organizations, referrals, since: '2017-11-01T00:00:00-05:00' });

    // Assess
    expect(countyCoverage(coverage, HENNEPIN, 'navigator')?.referrals).toBe(2);
  });

  it('records the languages referrals asked for, and a language gap where no organization there offers it', () => {
    // Prepare: Stearns navigators offer en, es, so; Kittson has no navigator at all.
    const referrals = [
      referral(STEARNS, '2017-11-20T15:00:00.000Z', { preferredLanguage: 'so' }),
      referral(STEARNS, '2017-11-20T16:00:00.000Z', { preferredLanguage: 'kar' }),
      referral(STEARNS, '2017-11-20T17:00:00.000Z', { preferredLanguage: 'kar' }),
      referral(STEARNS, '2017-11-20T18:00:00.000Z'),
      referral(KITTSON, '2017-11-20T18:00:00.000Z', { preferredLanguage: 'es' }),
    ];

    // Act
    const coverage = computeCoverage({ organizations, referrals, since: SINCE });

    // Assess
    expect(countyCoverage(coverage, STEARNS, 'navigator')?.referralLanguages).toEqual([
      { language: 'so', referrals: 1 },
      { language: 'kar', referrals: 2 },
    ]);
    expect(coverage.languageGaps).toEqual([
      {
        countyFips: KITTSON,
        countyName: 'Kittson',
        assisterType: 'navigator',
        referrals: 1,
        language: 'es',
        languageReferrals: 1,
      },
      {
        countyFips: STEARNS,
        countyName: 'Stearns',
        assisterType: 'navigator',
        referrals: 4,
        language: 'kar',
        languageReferrals: 2,
      },
    ]);
  });

  it('refuses a `since` that is not an instant', () => {
    // Act / Assess
    expect(() => computeCoverage({ organizations, referrals: [], since: 'last month' })).toThrow(
      "since is not an ISO instant: 'last month'",
    );
  });
});

describe('computeCoverage with a directory change', () => {
  it('covers the four central counties again once their navigator resumes', () => {
    // Prepare
    const resumed = organizations.map((org): Organization =>
      org.organizationId === 'central-lakes-navigators' ? { ...org, status: { state: 'active' } } : org,
    );

    // Act
    const coverage = computeCoverage({ organizations: resumed, referrals: [], since: SINCE });

    // Assess
    expect(coverage.uncovered.map((gap) => gap.countyName)).toEqual([
      'Kittson',
      'Lake of the Woods',
      'Marshall',
      'Pennington',
      'Red Lake',
      'Roseau',
    ]);
  });
});
