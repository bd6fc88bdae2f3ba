import type { AssisterType } from '../../shared/domain/assister-type';
import type { LanguageCode } from '../../shared/domain/languages';
import type { Organization } from '../../shared/domain/organization';
import { OrganizationSchema } from '../../shared/domain/organization';
import type { Exclusion, OrganizationLoad, RoutingDecision, RoutingRequest } from '../../shared/domain/routing';
import { DEFAULT_ROUTING_POLICY, decideRouting } from '../../shared/domain/routing';

const HENNEPIN = '27053';
const RAMSEY = '27123';
const REFERRAL_ID = 'ref_aaaaaaaaaaaaaaaaaaaaaaaaaa';
const EARLIER_REFERRAL_ID = 'ref_bbbbbbbbbbbbbbbbbbbbbbbbbb';
const REFERRED_AT = '2026-11-18T16:00:00.000Z';
const DAY_MS = 24 * 60 * 60 * 1000;

interface OrgOptions {
  readonly type?: AssisterType;
  readonly counties?: string[] | 'statewide';
  readonly languages?: LanguageCode[];
  readonly suspended?: boolean;
  readonly contactFailing?: boolean;
  readonly weeklyCapacity?: number;
}

/** A small fictional organization, checked against the directory's own schema so fixtures stay realistic. */
function org(organizationId: string, options: OrgOptions = {}): Organization {
  return OrganizationSchema.parse({
    organizationId,
    name: `Fictional ${organizationId}`,
    type: options.type ?? 'navigator',
    leadEmail: `leads@${organizationId}.example.org`,
    coverage:
      options.counties === 'statewide'
        ? { kind: 'statewide' }
        : { kind: 'counties', counties: options.counties ?? [HENNEPIN] },
    languages: options.languages ?? ['en'],
    status: options.suspended
      ? { state: 'suspended', reason: 'Staff vacancy', since: '2026-11-02T15:00:00.000Z' }
      : { state: 'active' },
    ...(options.weeklyCapacity !== undefined && { weeklyCapacity: options.weeklyCapacity }),
    ...(options.contactFailing && {
      leadContactStatus: { state: 'failing', since: '2026-11-20T15:00:00.000Z', reason: 'bounce' },
    }),
  });
}

interface LoadOptions {
  readonly window?: number;
  readonly week?: number;
  readonly last?: string;
}

function loads(byOrg: Record<string, LoadOptions> = {}): Map<string, OrganizationLoad> {
  return new Map(
    Object.entries(byOrg).map(([id, l]) => [
      id,
      {
        leadsThisWindow: l.window ?? 0,
        leadsThisWeek: l.week ?? 0,
        ...(l.last !== undefined && { lastAssignedAt: l.last }),
      },
    ]),
  );
}

function request(overrides: Partial<RoutingRequest> = {}): RoutingRequest {
  return {
    referralId: REFERRAL_ID,
    assisterType: 'navigator',
    countyFips: HENNEPIN,
    referredAt: REFERRED_AT,
    ...overrides,
  };
}

function daysBefore(iso: string, days: number): string {
  return new Date(Date.parse(iso) - days * DAY_MS).toISOString();
}

function exclusions(decision: RoutingDecision): Record<string, Exclusion | 'eligible'> {
  return Object.fromEntries(decision.candidates.map((c) => [c.organizationId, c.excludedBecause ?? 'eligible']));
}

describe('decideRouting: county before statewide', () => {
  it('prefers an organization serving the county over a statewide one, even a busier one', () => {
    // Prepare
    const orgs = [org('county-org', { weeklyCapacity: 20 }), org('statewide-org', { counties: 'statewide' })];
    const load = loads({ 'county-org': { window: 18, week: 5 }, 'statewide-org': { window: 0 } });

    // Act
    const decision = decideRouting(request(), orgs, load);

    // Assess
    expect(decision).toMatchObject({ outcome: 'routed', organizationId: 'county-org', reason: 'county' });
  });

  it.each<[string, OrgOptions, LoadOptions, Exclusion]>([
    ['suspended', { suspended: true }, {}, 'suspended'],
    ['failing at its lead contact (bounced)', { contactFailing: true }, {}, 'contact-failing'],
    ['over its weekly capacity', { weeklyCapacity: 10 }, { week: 10 }, 'over-capacity'],
  ])('falls back to a statewide organization when the only county organization is %s', (_c, options, load, why) => {
    // Prepare
    const orgs = [org('county-org', options), org('statewide-org', { counties: 'statewide' })];

    // Act
    const decision = decideRouting(request(), orgs, loads({ 'county-org': load }));

    // Assess
    expect(decision).toMatchObject({ outcome: 'routed', organizationId: 'statewide-org', reason: 'statewide' });
    expect(exclusions(decision)).toEqual({ 'county-org': why, 'statewide-org': 'eligible' });
  });

  it('falls back to statewide when every county organization is suspended or over capacity', () => {
    // Prepare
    const orgs = [
      org('county-suspended', { suspended: true }),
      org('county-full', { weeklyCapacity: 5 }),
      org('statewide-org', { counties: 'statewide', weeklyCapacity: 50 }),
    ];
    const load = loads({ 'county-full': { window: 7, week: 6 }, 'statewide-org': { window: 40, week: 30 } });

    // Act
    const decision = decideRouting(request(), orgs, load);

    // Assess
    expect(decision).toMatchObject({ outcome: 'routed', organizationId: 'statewide-org', reason: 'statewide' });
    expect(decision.explanation).toContain('statewide');
  });
});

describe('decideRouting: language preference', () => {
  it("sends a Somali speaker to the county's Somali-speaking organization even when it is busier", () => {
    // Prepare
    const orgs = [org('english-only', { languages: ['en'] }), org('somali-speaking', { languages: ['en', 'so'] })];
    const load = loads({ 'english-only': { window: 1 }, 'somali-speaking': { window: 12 } });

    // Act
    const decision = decideRouting(request({ preferredLanguage: 'so' }), orgs, load);

    // Assess
    expect(decision).toMatchObject({ organizationId: 'somali-speaking', reason: 'county-language-match' });
    expect(decision.candidates.find((c) => c.organizationId === 'somali-speaking')?.speaksLanguage).toBe(true);
  });

  it('does not pull a statewide organization that speaks the language over an eligible county one', () => {
    // Prepare
    const orgs = [
      org('county-english', { languages: ['en'] }),
      org('statewide-somali', { counties: 'statewide', languages: ['en', 'so'] }),
    ];

    // Act
    const decision = decideRouting(
      request({ preferredLanguage: 'so' }),
      orgs,
      loads({ 'county-english': { window: 9 } }),
    );

    // Assess
    expect(decision).toMatchObject({ organizationId: 'county-english', reason: 'county' });
    expect(decision.explanation).toContain('none of them speaks so');
  });

  it('does not prefer a suspended speaker: the eligible county organization takes the lead', () => {
    // Prepare
    const orgs = [org('county-english'), org('county-somali', { languages: ['so'], suspended: true })];

    // Act
    const decision = decideRouting(request({ preferredLanguage: 'so' }), orgs, loads());

    // Assess
    expect(decision).toMatchObject({ organizationId: 'county-english', reason: 'county' });
  });

  it('uses the language within the statewide tier when the county has no eligible organization', () => {
    // Prepare
    const orgs = [
      org('county-suspended', { suspended: true, languages: ['so'] }),
      org('statewide-english', { counties: 'statewide' }),
      org('statewide-somali', { counties: 'statewide', languages: ['en', 'so'] }),
    ];
    const load = loads({ 'statewide-english': { window: 0 }, 'statewide-somali': { window: 30 } });

    // Act
    const decision = decideRouting(request({ preferredLanguage: 'so' }), orgs, load);

    // Assess
    expect(decision).toMatchObject({ organizationId: 'statewide-somali', reason: 'statewide-language-match' });
  });

  it.each<[string, LanguageCode | undefined]>([
    ["'en'", 'en'],
    ['no language', undefined],
  ])('treats %s as no preference: the least loaded organization wins', (_label, preferredLanguage) => {
    // Prepare: the idle organization lists no English, the busy one does; neither matters.
    const orgs = [org('busy-english', { languages: ['en'] }), org('idle-somali', { languages: ['so'] })];
    const load = loads({ 'busy-english': { window: 15 }, 'idle-somali': { window: 1 } });

    // Act
    const decision = decideRouting(request({ ...(preferredLanguage && { preferredLanguage }) }), orgs, load);

    // Assess
    expect(decision).toMatchObject({ organizationId: 'idle-somali', reason: 'county' });
  });

  it('falls back to the least loaded organization when nobody speaks the language', () => {
    // Prepare
    const orgs = [org('busy', { languages: ['en', 'es'] }), org('idle', { languages: ['en'] })];

    // Act
    const decision = decideRouting(
      request({ preferredLanguage: 'hmn' }),
      orgs,
      loads({ busy: { window: 8 }, idle: { window: 2 } }),
    );

    // Assess
    expect(decision).toMatchObject({ organizationId: 'idle', reason: 'county' });
  });
});

describe('decideRouting: eligibility', () => {
  it.each<[string, OrgOptions, LoadOptions, Exclusion | 'eligible']>([
    ['a suspended organization', { suspended: true }, {}, 'suspended'],
    ['an organization at its weekly capacity (10 of 10)', { weeklyCapacity: 10 }, { week: 10 }, 'over-capacity'],
    ['an organization past its weekly capacity (12 of 10)', { weeklyCapacity: 10 }, { week: 12 }, 'over-capacity'],
    ['an organization one lead under its weekly capacity (9 of 10)', { weeklyCapacity: 10 }, { week: 9 }, 'eligible'],
    [
      'a capped organization busy this window but not this week',
      { weeklyCapacity: 10 },
      { window: 30, week: 2 },
      'eligible',
    ],
    ['an uncapped organization with 500 leads this week', {}, { window: 900, week: 500 }, 'eligible'],
    ['an organization of the other type', { type: 'broker' }, {}, 'wrong-type'],
    ['an organization serving only another county', { counties: [RAMSEY] }, {}, 'does-not-serve-county'],
  ])('judges %s as %s', (_label, options, load, expected) => {
    // Prepare
    const orgs = [org('the-org', options)];

    // Act
    const decision = decideRouting(request(), orgs, loads({ 'the-org': load }));

    // Assess
    expect(exclusions(decision)).toEqual({ 'the-org': expected });
    expect(decision.outcome).toBe(expected === 'eligible' ? 'routed' : 'unroutable');
  });

  it('is unroutable, listing every candidate and why, when no organization is eligible', () => {
    // Prepare
    const orgs = [
      org('county-suspended', { suspended: true }),
      org('county-full', { weeklyCapacity: 5 }),
      org('statewide-suspended', { counties: 'statewide', suspended: true }),
    ];

    // Act
    const decision = decideRouting(request(), orgs, loads({ 'county-full': { week: 5 } }));

    // Assess
    expect(decision.outcome).toBe('unroutable');
    expect(decision.reason).toBe('no-eligible-organization');
    expect(decision.organizationId).toBeUndefined();
    expect(exclusions(decision)).toEqual({
      'county-suspended': 'suspended',
      'county-full': 'over-capacity',
      'statewide-suspended': 'suspended',
    });
  });

  it('is unroutable with no candidates when no organization serves the county at all', () => {
    // Act
    const decision = decideRouting(request(), [], loads());

    // Assess
    expect(decision).toMatchObject({ outcome: 'unroutable', reason: 'no-eligible-organization', candidates: [] });
  });
});

describe('decideRouting: fairness', () => {
  it('chooses the lowest leads-this-window ÷ capacity: 10 of 40 beats 4 of 10', () => {
    // Prepare
    const orgs = [org('small', { weeklyCapacity: 10 }), org('large', { weeklyCapacity: 40 })];
    const load = loads({ small: { window: 4, week: 1 }, large: { window: 10, week: 3 } });

    // Act
    const decision = decideRouting(request(), orgs, load);

    // Assess
    expect(decision.organizationId).toBe('large');
    expect(decision.candidates.map((c) => [c.organizationId, c.load])).toEqual([
      ['large', 0.25],
      ['small', 0.4],
    ]);
  });

  it.each([
    ['the default 20', DEFAULT_ROUTING_POLICY.defaultWeeklyCapacity, 'uncapped', 0.25],
    ['a policy of 10', 10, 'capped', 0.5],
  ])(
    'counts a missing capacity as %s (5 leads uncapped vs 3 of 10)',
    (_label, defaultWeeklyCapacity, winner, uncappedLoad) => {
      // Prepare
      const orgs = [org('uncapped'), org('capped', { weeklyCapacity: 10 })];
      const load = loads({ uncapped: { window: 5 }, capped: { window: 3 } });
      const policy = { ...DEFAULT_ROUTING_POLICY, defaultWeeklyCapacity };

      // Act
      const decision = decideRouting(request(), orgs, load, policy);

      // Assess
      expect(decision.organizationId).toBe(winner);
      expect(decision.candidates.find((c) => c.organizationId === 'uncapped')?.load).toBe(uncappedLoad);
    },
  );

  it('counts an organization with no recorded load as having no leads', () => {
    // Prepare
    const orgs = [org('busy'), org('new-org')];

    // Act
    const decision = decideRouting(request(), orgs, loads({ busy: { window: 1, last: '2026-11-17T15:00:00.000Z' } }));

    // Assess
    expect(decision.organizationId).toBe('new-org');
  });

  it.each<[string, number, LoadOptions, LoadOptions, string]>([
    ['never assigned beats assigned', 10, { window: 2, last: '2026-11-10T15:00:00.000Z' }, { window: 2 }, 'zzz-org'],
    [
      'least recently assigned wins',
      10,
      { window: 2, last: '2026-11-12T15:00:00.000Z' },
      { window: 2, last: '2026-11-10T15:00:00.000Z' },
      'zzz-org',
    ],
    [
      'equal ratios (2 of 10, 4 of 20) tie, then least recently assigned wins',
      20,
      { window: 2, last: '2026-11-12T15:00:00.000Z' },
      { window: 4, last: '2026-11-03T15:00:00.000Z' },
      'zzz-org',
    ],
    ['both never assigned: the organization id decides', 10, { window: 2 }, { window: 2 }, 'aaa-org'],
    [
      'same last assignment: the organization id decides',
      10,
      { window: 2, last: '2026-11-12T15:00:00.000Z' },
      { window: 2, last: '2026-11-12T15:00:00.000Z' },
      'aaa-org',
    ],
  ])('breaks a load tie: %s', (_label, zzzCapacity, aaaLoad, zzzLoad, expected) => {
    // Prepare: aaa-org has capacity 10; zzz-org is listed first so input order cannot explain the result.
    const orgs = [org('zzz-org', { weeklyCapacity: zzzCapacity }), org('aaa-org', { weeklyCapacity: 10 })];

    // Act
    const decision = decideRouting(request(), orgs, loads({ 'aaa-org': aaaLoad, 'zzz-org': zzzLoad }));

    // Assess
    expect(decision.organizationId).toBe(expected);
  });

  it('decides the same for the same input in any order', () => {
    // Prepare: ties everywhere, so only the rules (not input order) can decide.
    const orgs = [
      org('delta', { weeklyCapacity: 10 }),
      org('alpha', { weeklyCapacity: 20 }),
      org('charlie', { weeklyCapacity: 10 }),
      org('bravo'),
      org('echo', { counties: 'statewide' }),
      org('foxtrot', { suspended: true }),
    ];
    const byOrg: Record<string, LoadOptions> = {
      delta: { window: 2, last: '2026-11-12T15:00:00.000Z' },
      alpha: { window: 4, last: '2026-11-12T15:00:00.000Z' },
      charlie: { window: 2, last: '2026-11-12T15:00:00.000Z' },
      bravo: { window: 4, last: '2026-11-12T15:00:00.000Z' },
    };
    const orders = [
      [0, 1, 2, 3, 4, 5],
      [5, 4, 3, 2, 1, 0],
      [2, 0, 5, 3, 1, 4],
      [3, 5, 1, 4, 0, 2],
    ];

    // Act
    const decisions = orders.map((order) => {
      const shuffled = order.map((i) => orgs[i]!);
      const shuffledLoads = loads(
        Object.fromEntries(
          order
            .map((i) => orgs[i]!.organizationId)
            .filter((id) => byOrg[id])
            .map((id) => [id, byOrg[id]!]),
        ),
      );
      return decideRouting(request(), shuffled, shuffledLoads);
    });

    // Assess
    expect(decisions[0]!.organizationId).toBe('alpha');
    for (const decision of decisions.slice(1)) expect(decision).toEqual(decisions[0]);
  });
});

describe('decideRouting: a consumer referred again within 30 days', () => {
  const previousWithin = (organizationId: string, days = 29) => ({
    referralId: EARLIER_REFERRAL_ID,
    organizationId,
    referredAt: daysBefore(REFERRED_AT, days),
  });

  it.each<[string, OrgOptions, LoadOptions]>([
    ['the most loaded one', { weeklyCapacity: 40 }, { window: 39, week: 3 }],
    ['over its weekly capacity', { weeklyCapacity: 10 }, { window: 25, week: 12 }],
  ])('goes back to the same organization even when it is now %s', (_label, options, load) => {
    // Prepare
    const orgs = [org('first-org', options), org('idle-org', { weeklyCapacity: 40 })];

    // Act
    const decision = decideRouting(
      request({ previous: previousWithin('first-org') }),
      orgs,
      loads({ 'first-org': load }),
    );

    // Assess
    expect(decision).toMatchObject({
      outcome: 'routed',
      organizationId: 'first-org',
      reason: 'repeat-consumer',
      repeatOfReferralId: EARLIER_REFERRAL_ID,
    });
    expect(decision.explanation).toContain(EARLIER_REFERRAL_ID);
    expect(decision.candidates).toHaveLength(2);
  });

  it('explains a repeat with the Minnesota date of the earlier referral', () => {
    // Prepare: 9 pm in Minnesota on 2026-11-09 is already 2026-11-10 in UTC.
    const previous = {
      referralId: EARLIER_REFERRAL_ID,
      organizationId: 'first-org',
      referredAt: '2026-11-10T03:00:00.000Z',
    };

    // Act
    const decision = decideRouting(request({ previous }), [org('first-org')], loads());

    // Assess
    expect(decision.reason).toBe('repeat-consumer');
    expect(decision.explanation).toContain('2026-11-09');
  });

  it('goes back to the same organization even when another speaks the consumer’s language', () => {
    // Prepare
    const orgs = [org('first-org'), org('somali-org', { languages: ['so'] })];

    // Act
    const decision = decideRouting(
      request({ preferredLanguage: 'so', previous: previousWithin('first-org', 3) }),
      orgs,
      loads(),
    );

    // Assess
    expect(decision).toMatchObject({ organizationId: 'first-org', reason: 'repeat-consumer' });
  });

  it.each<[string, OrgOptions, number, string]>([
    ['now suspended', { suspended: true }, 10, 'other-org'],
    ['no longer serving the county', { counties: [RAMSEY] }, 10, 'other-org'],
    ['of the other type now', { type: 'broker' }, 10, 'other-org'],
    ['referred more than 30 days ago (31 days)', { weeklyCapacity: 10 }, 31, 'other-org'],
  ])('routes normally when the earlier organization is %s', (_label, options, daysAgo, expected) => {
    // Prepare: the earlier organization is the busier one, so only a repeat rule could pick it.
    const orgs = [org('first-org', options), org('other-org', { weeklyCapacity: 10 })];
    const load = loads({ 'first-org': { window: 8 }, 'other-org': { window: 1 } });

    // Act
    const decision = decideRouting(request({ previous: previousWithin('first-org', daysAgo) }), orgs, load);

    // Assess
    expect(decision).toMatchObject({ outcome: 'routed', organizationId: expected, reason: 'county' });
    expect(decision.repeatOfReferralId).toBeUndefined();
  });

  it('routes normally when the earlier organization has left the directory', () => {
    // Act
    const decision = decideRouting(request({ previous: previousWithin('gone-org') }), [org('other-org')], loads());

    // Assess
    expect(decision).toMatchObject({ organizationId: 'other-org', reason: 'county' });
  });
});

describe('decideRouting: every decision lists every candidate with its exclusion', () => {
  const orgs = [
    org('county-eligible', { weeklyCapacity: 10 }),
    org('county-suspended', { suspended: true }),
    org('county-full', { weeklyCapacity: 3 }),
    org('ramsey-only', { counties: [RAMSEY] }),
    org('a-broker', { type: 'broker' }),
    org('statewide-eligible', { counties: 'statewide' }),
  ];
  const load = loads({ 'county-full': { week: 3 }, 'county-eligible': { window: 9, week: 2 } });
  const expected = {
    'county-eligible': 'eligible',
    'county-suspended': 'suspended',
    'county-full': 'over-capacity',
    'ramsey-only': 'does-not-serve-county',
    'a-broker': 'wrong-type',
    'statewide-eligible': 'eligible',
  };

  it.each<[string, Partial<RoutingRequest>]>([
    ['a county decision', {}],
    [
      'a repeat decision',
      {
        previous: {
          referralId: EARLIER_REFERRAL_ID,
          organizationId: 'county-full',
          referredAt: daysBefore(REFERRED_AT, 2),
        },
      },
    ],
    ['a language decision', { preferredLanguage: 'so' }],
  ])('for %s', (_label, overrides) => {
    // Act
    const decision = decideRouting(request(overrides), [...orgs, orgs[0]!], load);

    // Assess
    expect(decision.outcome).toBe('routed');
    expect(decision.candidates).toHaveLength(orgs.length);
    expect(exclusions(decision)).toEqual(expected);
    expect(decision.explanation.length).toBeGreaterThan(0);
  });

  it('for an unroutable decision', () => {
    // Prepare
    const none = orgs.filter((o) => !o.organizationId.endsWith('eligible'));

    // Act
    const decision = decideRouting(request(), none, load);

    // Assess
    expect(decision.outcome).toBe('unroutable');
    expect(exclusions(decision)).toEqual({
      'county-suspended': 'suspended',
      'county-full': 'over-capacity',
      'ramsey-only': 'does-not-serve-county',
      'a-broker': 'wrong-type',
    });
  });
});
