import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Node } from 'constructs';
import { z } from 'zod';
import { REPO_ROOT } from '../../scripts/bundle-functions';
import { ReportingCalendar } from '../../shared/domain/reporting-calendar';

/** The repository root: relative paths in context (the calendar file) are read from here. */
export { REPO_ROOT };

const email = z.email();
const days = z.coerce.number().int().positive();

/**
 * Everything the AWS deployment takes from CDK context (cdk.json, or `-c key=value`). Parsed once,
 * naming every bad value at once, so a typo fails `cdk synth` rather than a Lambda's cold start.
 */
const DeployConfigSchema = z
  .object({
    /** Environment name: part of every resource name, so environments can share an account. */
    environment: z.string().regex(/^[a-z][a-z0-9-]{1,15}$/, 'must be 2-16 lower-case letters, digits or dashes'),
    /** The SES domain identity (DKIM and the custom MAIL FROM are set up on it). */
    sesDomain: z.string().regex(/^(?!-)[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'must be a lower-case domain name'),
    leadSender: email,
    reportSender: email,
    /** MNsure's PAL point of contact: the reply-to of leads and reports. */
    programContact: email,
    /** Where organizations reply with completed sheets; SES receives it into the bucket's inbound/ prefix. */
    inboundAddress: email,
    /** Ops alarms go here (an SNS email subscription; the address must confirm it once). */
    opsEmail: email,
    /** The reporting calendar compiled into the functions (relative to the repository root). */
    calendarFile: z.string().min(1),
    /** Days report files (generated, uploaded, emailed) are kept in the bucket. */
    reportRetentionDays: days,
    /** Days the functions', APIs' and firewall's logs are kept. */
    logRetentionDays: days,
    /** Days S3 server access logs and VPC flow logs are kept. */
    accessLogRetentionDays: days,
    /** Days daily AWS Backup recovery points of the tables are kept (PITR covers the last 35 days too). */
    backupRetentionDays: days,
    /** Days the event archive keeps events for replay. */
    eventArchiveRetentionDays: days,
    /** A custom domain for the report links (organizations click them); needs the certificate too. */
    reportLinksDomain: z.string().min(1).optional(),
    /** ACM certificate (same region) for reportLinksDomain. */
    reportLinksCertificateArn: z.string().startsWith('arn:').optional(),
    /** The CRM's IAM principal when it lives in another account: the intake API's resource policy lets it in. */
    crmPrincipalArn: z.string().startsWith('arn:').optional(),
    /**
     * Reserve each function's concurrency (79 in all). Off by default: Lambda keeps 100 of the
     * account's quota unreserved, so a new account (quota 10) refuses any reservation and the deploy
     * fails. Turn on once the quota is at least 179 (`npm run preflight` checks).
     */
    reservedConcurrency: z
      .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
      .default(false),
    /** The CRM's egress CIDRs; when given, the intake firewall blocks every other source. */
    crmSourceCidrs: z.array(z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'must be an IPv4 CIDR')).optional(),
  })
  .superRefine((c, ctx) => {
    const inDomain = (address: string) => {
      const domain = address.split('@')[1] ?? '';
      return domain === c.sesDomain || domain.endsWith(`.${c.sesDomain}`);
    };
    for (const key of ['leadSender', 'reportSender', 'inboundAddress'] as const) {
      if (!inDomain(c[key]))
        ctx.addIssue({ code: 'custom', path: [key], message: `must be an address in ${c.sesDomain}` });
    }
    if ((c.reportLinksDomain === undefined) !== (c.reportLinksCertificateArn === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['reportLinksCertificateArn'],
        message: 'reportLinksDomain and reportLinksCertificateArn go together',
      });
    }
  });

export type DeployConfig = z.infer<typeof DeployConfigSchema> & {
  /** Absolute path of the calendar file, checked to parse as a reporting calendar. */
  readonly calendarPath: string;
};

export const CONTEXT_KEYS = Object.keys(DeployConfigSchema.shape) as (keyof z.infer<typeof DeployConfigSchema>)[];

/** Reads and validates the deployment's context; throws naming every bad value. */
export function loadDeployConfig(node: Node): DeployConfig {
  const raw = Object.fromEntries(CONTEXT_KEYS.map((key) => [key, contextValue(node.tryGetContext(key))]));
  const parsed = DeployConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(context)'}: ${i.message}`);
    throw new Error(`Invalid CDK context: ${problems.join('; ')}`);
  }
  const calendarPath = isAbsolute(parsed.data.calendarFile)
    ? parsed.data.calendarFile
    : join(REPO_ROOT, parsed.data.calendarFile);
  // The calendar is compiled into the functions: a bad one must fail synth, not the first report run.
  ReportingCalendar.fromConfig(JSON.parse(readFileSync(calendarPath, 'utf8')) as unknown);
  return { ...parsed.data, calendarPath };
}

/** `-c key=value` arrives as a string; lists may arrive as JSON text. Empty strings mean "not set". */
function contextValue(value: unknown): unknown {
  if (value === '' || value === null) return undefined;
  if (typeof value === 'string' && value.startsWith('[')) return JSON.parse(value) as unknown;
  return value;
}
