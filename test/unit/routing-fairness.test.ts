import { DEFAULT_ROUTING_POLICY, decideRouting } from '../../shared/domain/routing';
import {
  RAMSEY,
  EARLIER_REFERRAL_ID,
  REFERRED_AT,
  OrgOptions,
  org,
  LoadOptions,
  loads,
  request,
  daysBefore,
} from '../support/routing-fixtures';

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
