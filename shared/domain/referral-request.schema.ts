import { z } from 'zod';
import type { FieldIssue } from './validation';
import { ASSISTER_TYPE_RULE_TEXT, ASSISTER_TYPES, DETERMINATIONS, requiredAssisterType } from './assister-type';
import { resolveCounty } from './counties';
import { HELP_REASON_CATEGORIES } from './help-reason';
import { LANGUAGE_CODES } from './languages';
import { normalizeUsPhone } from './phone';

/** The most a referral body may weigh (bytes of JSON), enforced before parsing. */
export const MAX_REFERRAL_BODY_BYTES = 64 * 1024;

const personName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .refine((v) => /\p{L}/u.test(v) && !/\p{Cc}/u.test(v), {
    message: 'must contain letters and no control characters',
    params: { rule: 'person-name' },
  });

const freeText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((v) => !/[^\P{Cc}\t\n\r]/u.test(v), {
      message: 'must not contain control characters',
      params: { rule: 'printable-text' },
    });

const ConsumerSchema = z.strictObject({
  firstName: personName.describe("Consumer's first name"),
  lastName: personName.describe("Consumer's last name"),
  phone: z
    .string()
    .max(40)
    .refine((v) => normalizeUsPhone(v) !== undefined, {
      message: 'must be a 10-digit US phone number, e.g. (612) 555-0142',
      params: { rule: 'us-phone' },
    })
    .describe('US phone number; any common formatting'),
  email: z.email({ message: 'must be an email address' }).max(254).optional(),
  preferredContactMethod: z.enum(['phone', 'text', 'email']),
  preferredLanguage: z.enum(LANGUAGE_CODES).optional().describe('ISO 639 code of the language the consumer prefers'),
  county: z
    .string()
    .max(40)
    .refine((v) => resolveCounty(v) !== undefined, {
      message: "must be one of Minnesota's 87 counties, by name (e.g. Hennepin) or FIPS code (e.g. 27053)",
      params: { rule: 'minnesota-county' },
    })
    .describe('Minnesota county of residence: name or FIPS code'),
  zip: z
    .string()
    .regex(/^\d{5}(-\d{4})?$/, { message: 'must be a ZIP code, 12345 or 12345-6789' })
    .refine((v) => isMinnesotaZip(v), { message: 'must be a Minnesota ZIP code', params: { rule: 'minnesota-zip' } })
    .optional(),
});

const CaseSchema = z.strictObject({
  hasActiveAccount: z.boolean().describe('Does the consumer have an active MNsure account?'),
  hasActiveApplication: z.boolean().describe('Does the consumer have an active application?'),
  determinations: z
    .array(z.enum(DETERMINATIONS))
    .max(DETERMINATIONS.length)
    .describe("The household's current determination(s); empty when there is no application"),
  helpReason: z.strictObject({
    category: z.enum(HELP_REASON_CATEGORIES),
    details: freeText(2000).describe('What the consumer needs, in the representative words'),
  }),
  guidanceGiven: freeText(2000).describe('What guidance the representative gave the consumer'),
});

export const ReferralRequestSchema = z.strictObject({
  crmReferralId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, { message: 'must be letters, digits, and . _ : - only' })
    .describe("The CRM's referral id; a retry with the same id returns the same referral"),
  referredAt: z.iso
    .datetime({ offset: true, message: 'must be an ISO 8601 date-time with offset' })
    .optional()
    .describe('When the representative made the referral (decides the reporting window); defaults to receipt'),
  representativeId: z.string().min(1).max(64).describe('Contact-center representative who made the referral'),
  consumer: ConsumerSchema,
  case: CaseSchema,
  consentToShare: z
    .boolean()
    .describe('Did the consumer consent to have their information sent to an assister? Must be true'),
  requestedAssisterType: z
    .enum(ASSISTER_TYPES)
    .optional()
    .describe("Assister type the representative picked; refused when it breaks the program's rules"),
});

export type ReferralRequest = z.infer<typeof ReferralRequestSchema>;

/** Minnesota's ZIP codes run 55001–56763. */
function isMinnesotaZip(zip: string): boolean {
  const five = Number(zip.slice(0, 5));
  return five >= 55001 && five <= 56763;
}

/** How far ahead of our clock a CRM's `referredAt` may be before it counts as "in the future". */
export const CLOCK_SKEW_MS = 2 * 60 * 1000;

/**
 * The rules that tie fields together. They run on the raw body beside the schema, not as zod
 * refinements, because zod skips an object's refinements once any field inside it failed: a CRM
 * fixing one problem must not be refused again for another it could have been told about.
 * Each rule speaks only when the fields it compares are themselves valid.
 */
export function crossFieldIssues(body: unknown, now: Date): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const root = asRecord(body);
  const consumer = asRecord(root.consumer);
  const facts = asRecord(root.case);

  if (typeof root.consentToShare === 'boolean' && root.consentToShare !== true) {
    issues.push({
      field: 'consentToShare',
      rule: 'consent-required',
      message: "must be true: no lead is sent without the consumer's consent to share",
    });
  }
  const referredAt = ReferralRequestSchema.shape.referredAt.safeParse(root.referredAt);
  if (
    referredAt.success &&
    referredAt.data !== undefined &&
    Date.parse(referredAt.data) > now.getTime() + CLOCK_SKEW_MS
  ) {
    issues.push({ field: 'referredAt', rule: 'not-in-future', message: 'must not be in the future' });
  }
  if (consumer.preferredContactMethod === 'email' && consumer.email === undefined) {
    issues.push({
      field: 'consumer.email',
      rule: 'email-for-email-contact',
      message: 'is required when the preferred contact method is email',
    });
  }
  const application = CaseSchema.shape.hasActiveApplication.safeParse(facts.hasActiveApplication);
  const determinations = CaseSchema.shape.determinations.safeParse(facts.determinations);
  if (determinations.success && new Set(determinations.data).size !== determinations.data.length) {
    issues.push({ field: 'case.determinations', rule: 'unique', message: 'must not list a determination twice' });
  }
  if (application.success && determinations.success) {
    if (!application.data && determinations.data.length > 0) {
      issues.push({
        field: 'case.determinations',
        rule: 'no-determination-without-application',
        message: 'must be empty when the consumer has no active application',
      });
    }
    const requested = ReferralRequestSchema.shape.requestedAssisterType.safeParse(root.requestedAssisterType);
    if (requested.success && requested.data !== undefined) {
      const ruling = requiredAssisterType({
        hasActiveApplication: application.data,
        determinations: determinations.data,
      });
      if (ruling.type !== requested.data) {
        issues.push({
          field: 'requestedAssisterType',
          rule: 'assister-type',
          message: `must be ${ruling.type}: ${ASSISTER_TYPE_RULE_TEXT[ruling.rule]}`,
        });
      }
    }
  }
  return issues;
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
