import type { LanguageCode } from '../../shared/domain/languages';
import type { Exclusion } from '../../shared/domain/routing';
import { decideRouting } from '../../shared/domain/routing';
import { RAMSEY, OrgOptions, org, LoadOptions, loads, request, exclusions } from '../support/routing-fixtures';

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
