import type { AssisterTypeRuling, Determination } from '../../shared/domain/assister-type';
import { requiredAssisterType } from '../../shared/domain/assister-type';

describe('requiredAssisterType (the program rule: which assister a consumer is referred to)', () => {
  it.each<[string, boolean, Determination[], AssisterTypeRuling]>([
    ['no application', false, [], { type: 'navigator', rule: 'no-application' }],
    ['Medical Assistance', true, ['medical-assistance'], { type: 'navigator', rule: 'public-program-determination' }],
    ['MinnesotaCare', true, ['minnesotacare'], { type: 'navigator', rule: 'public-program-determination' }],
    ['QHP only', true, ['qhp'], { type: 'broker', rule: 'qhp-only-determination' }],
    [
      'mixed household MA + QHP',
      true,
      ['medical-assistance', 'qhp'],
      { type: 'navigator', rule: 'public-program-determination' },
    ],
    [
      'mixed household QHP + MA (order ignored)',
      true,
      ['qhp', 'medical-assistance'],
      { type: 'navigator', rule: 'public-program-determination' },
    ],
    [
      'mixed household MinnesotaCare + QHP',
      true,
      ['minnesotacare', 'qhp'],
      { type: 'navigator', rule: 'public-program-determination' },
    ],
    [
      'MA + MinnesotaCare',
      true,
      ['medical-assistance', 'minnesotacare'],
      { type: 'navigator', rule: 'public-program-determination' },
    ],
    [
      'all three programs',
      true,
      ['medical-assistance', 'minnesotacare', 'qhp'],
      { type: 'navigator', rule: 'public-program-determination' },
    ],
    ['an application with no determination yet', true, [], { type: 'navigator', rule: 'no-determination-yet' }],
  ])('%s → %j', (_case, hasActiveApplication, determinations, expected) => {
    // Act
    const ruling = requiredAssisterType({ hasActiveApplication, determinations });

    // Assess
    expect(ruling).toEqual(expected);
  });

  it('sends a consumer with no active application to a navigator whatever determinations are listed', () => {
    // Prepare: intake refuses this combination, but the rule must not hand such a case to a broker.
    const facts = { hasActiveApplication: false, determinations: ['qhp'] as Determination[] };

    // Act
    const ruling = requiredAssisterType(facts);

    // Assess
    expect(ruling).toEqual({ type: 'navigator', rule: 'no-application' });
  });
});
