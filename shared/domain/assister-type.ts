/** The two kinds of preferred assister the program routes to. */
export const ASSISTER_TYPES = ['navigator', 'broker'] as const;
export type AssisterType = (typeof ASSISTER_TYPES)[number];

export const DETERMINATIONS = ['medical-assistance', 'minnesotacare', 'qhp'] as const;
export type Determination = (typeof DETERMINATIONS)[number];

export const DETERMINATION_LABELS: Record<Determination, string> = {
  'medical-assistance': 'Medical Assistance',
  minnesotacare: 'MinnesotaCare',
  qhp: 'Qualified Health Plan (QHP)',
};

export interface CaseFactsForType {
  readonly hasActiveApplication: boolean;
  readonly determinations: readonly Determination[];
}

export interface AssisterTypeRuling {
  readonly type: AssisterType;
  readonly rule: 'no-application' | 'public-program-determination' | 'qhp-only-determination' | 'no-determination-yet';
}

/**
 * The program's rule (OE5 slides, "Referral emails"):
 * no application → navigator; any public-program determination (MA, MinnesotaCare) → navigator;
 * QHP determination only → broker.
 * An application still waiting for a determination goes to a navigator: navigators may help with
 * every program, brokers only with QHP enrollment, so a navigator is never the wrong type there.
 */
export function requiredAssisterType(facts: CaseFactsForType): AssisterTypeRuling {
  if (!facts.hasActiveApplication) return { type: 'navigator', rule: 'no-application' };
  const d = new Set(facts.determinations);
  if (d.has('medical-assistance') || d.has('minnesotacare')) {
    return { type: 'navigator', rule: 'public-program-determination' };
  }
  if (d.has('qhp')) return { type: 'broker', rule: 'qhp-only-determination' };
  return { type: 'navigator', rule: 'no-determination-yet' };
}

export const ASSISTER_TYPE_RULE_TEXT: Record<AssisterTypeRuling['rule'], string> = {
  'no-application': 'a consumer with no application is referred to a navigator',
  'public-program-determination':
    'a household with a Medical Assistance or MinnesotaCare determination is referred to a navigator',
  'qhp-only-determination': 'a household with only a QHP determination is referred to a broker',
  'no-determination-yet': 'an application awaiting its determination is referred to a navigator',
};
