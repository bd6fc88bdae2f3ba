import type { RoutingRequest } from '../../shared/domain/routing';
import { decideRouting } from '../../shared/domain/routing';
import {
  RAMSEY,
  EARLIER_REFERRAL_ID,
  REFERRED_AT,
  org,
  loads,
  request,
  daysBefore,
  exclusions,
} from '../support/routing-fixtures';

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
