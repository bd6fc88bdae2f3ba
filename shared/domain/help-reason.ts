/** Why the consumer seeks help from an assister: the fixed list the representative picks from. */
export const HELP_REASONS = {
  'new-application': 'Help applying for coverage',
  renewal: 'Help renewing coverage',
  'choosing-a-plan': 'Help comparing and choosing a plan',
  enrollment: 'Help completing enrollment',
  'eligibility-or-notice': 'Questions about an eligibility determination or a notice',
  'report-a-change': 'Reporting a change (income, household, address)',
  'account-or-technical': 'Account access or a technical problem',
  'tax-credits-or-payments': 'Tax credits, premiums or payments',
  other: 'Other (see details)',
} as const;

export type HelpReasonCategory = keyof typeof HELP_REASONS;
export const HELP_REASON_CATEGORIES = Object.keys(HELP_REASONS) as [HelpReasonCategory, ...HelpReasonCategory[]];
