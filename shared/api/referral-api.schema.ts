import { z } from 'zod';
import { ASSISTER_TYPES } from '../domain/assister-type';
import { PROBLEM_KINDS, PROBLEM_TYPE_BASE, problemType } from './http/problem';

/** The API's responses, as zod schemas: the OpenAPI document is generated from these and the request schema. */

export const FieldIssueSchema = z.object({
  field: z.string().describe('Dotted path of the refused field, e.g. consumer.county; "body" for the whole body'),
  rule: z.string().describe('The rule it breaks, e.g. minnesota-county, consent-required, unknown-field'),
  message: z.string(),
});

/** Every refusal: an RFC 9457 problem (application/problem+json), `issues` its extension member. */
export const ProblemSchema = z.object({
  type: z
    .enum(PROBLEM_KINDS.map(problemType) as [string, ...string[]])
    .describe(`The kind of problem, a URI under ${PROBLEM_TYPE_BASE} (the last segment names it)`),
  title: z.string().describe("The kind's short summary; the same for every problem of that type"),
  status: z.number().int().describe('The HTTP status code'),
  detail: z.string().describe('What went wrong with this request'),
  instance: z.string().optional().describe('The request path'),
  issues: z.array(FieldIssueSchema).describe('Each refused field and the rule it breaks (may be empty on a 500)'),
  referralId: z.string().optional().describe('On a 409: the referral the crmReferralId already names'),
  requestId: z.string().optional().describe('On a 500: quote it when reporting the failure'),
});

export const ReferralAcceptedSchema = z.object({
  referralId: z.string(),
  crmReferralId: z.string(),
  status: z.string(),
  /** Where to read the referral's status and routing decision. */
  href: z.string(),
});
export type ReferralAcceptedView = z.infer<typeof ReferralAcceptedSchema>;

const CandidateSchema = z.object({
  organizationId: z.string(),
  tier: z.enum(['county', 'statewide']),
  speaksLanguage: z.boolean(),
  leadsThisWindow: z.number(),
  leadsThisWeek: z.number(),
  weeklyCapacity: z.number().optional(),
  load: z.number(),
  lastAssignedAt: z.string().optional(),
  excludedBecause: z
    .enum(['wrong-type', 'suspended', 'contact-failing', 'over-capacity', 'does-not-serve-county'])
    .optional(),
});

export const ReferralStatusViewSchema = z.object({
  referralId: z.string(),
  crmReferralId: z.string(),
  status: z.enum(['received', 'routed', 'unroutable', 'emailed', 'email-failed']),
  receivedAt: z.string(),
  referredAt: z.string(),
  county: z.object({ fips: z.string(), name: z.string() }),
  assisterType: z.enum(ASSISTER_TYPES),
  assisterTypeRule: z.string(),
  routing: z
    .object({
      outcome: z.enum(['routed', 'unroutable']),
      organizationId: z.string().optional(),
      reason: z.string(),
      explanation: z.string(),
      repeatOfReferralId: z.string().optional(),
      decidedAt: z.string(),
      windowId: z.string().optional(),
      candidates: z.array(CandidateSchema),
    })
    .optional(),
  lead: z
    .object({
      state: z.enum(['sending', 'sent', 'failed', 'in-doubt']),
      attempts: z.number(),
      emailedAt: z.string().optional(),
      lastErrorCode: z.string().optional(),
    })
    .optional(),
});
export type ReferralStatusView = z.infer<typeof ReferralStatusViewSchema>;
