import { z } from 'zod';
import { ASSISTER_TYPES } from './assister-type';
import { countyByFips } from './counties';
import { LANGUAGE_CODES } from './languages';
import { IsoDateSchema } from './minnesota-time';

/** A preferred assister organization as the directory keeps it. */
export const OrganizationSchema = z.strictObject({
  organizationId: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, { message: 'must be 2–63 lower-case letters, digits and hyphens' }),
  name: z.string().trim().min(1).max(200),
  type: z.enum(ASSISTER_TYPES),
  /** The designated contact point for emailed leads (OE5 policy: one per organization). */
  leadEmail: z.email(),
  /** Counties served, as FIPS codes; `statewide` organizations serve every county as a fallback. */
  coverage: z.discriminatedUnion('kind', [
    z.strictObject({
      kind: z.literal('counties'),
      counties: z
        .array(
          z.string().refine((f) => countyByFips(f) !== undefined, {
            message: 'must be a Minnesota county FIPS code such as 27053',
            params: { rule: 'minnesota-county' },
          }),
        )
        .min(1),
    }),
    z.strictObject({ kind: z.literal('statewide') }),
  ]),
  languages: z.array(z.enum(LANGUAGE_CODES)).min(1),
  status: z.discriminatedUnion('state', [
    z.strictObject({ state: z.literal('active') }),
    z.strictObject({
      state: z.literal('suspended'),
      reason: z.string().trim().min(1).max(500),
      since: z.iso.datetime({ offset: true }),
      resumesOn: IsoDateSchema.optional(),
    }),
  ]),
  /** Leads per week the organization says it can take; absent means it set no limit. */
  weeklyCapacity: z.number().int().positive().optional(),
  /**
   * How leads reach it: `secure-link` (the default: no PII in the mailbox, a signed link to the lead
   * page) or `inline` (everything in the email body), for organizations that ask for it.
   */
  deliveryMode: z.enum(['secure-link', 'inline']).optional(),
  /**
   * Whether the designated lead contact works: an SES bounce or complaint marks it failing (no new
   * leads go there) until ops change or confirm it. Absent means no problem is known.
   */
  leadContactStatus: z
    .discriminatedUnion('state', [
      z.strictObject({ state: z.literal('ok') }),
      z.strictObject({
        state: z.literal('failing'),
        since: z.iso.datetime({ offset: true }),
        reason: z.enum(['bounce', 'complaint']),
      }),
    ])
    .optional(),
  /** When the organization last confirmed its lead contact (every 90 days it is asked again). */
  leadContactConfirmedAt: z.iso.datetime({ offset: true }).optional(),
  /** When the last "confirm your lead contact" email was sent. */
  leadContactConfirmationSentAt: z.iso.datetime({ offset: true }).optional(),
});

export type Organization = z.infer<typeof OrganizationSchema>;

export function servesCounty(org: Organization, countyFips: string): boolean {
  return org.coverage.kind === 'statewide' || org.coverage.counties.includes(countyFips);
}
