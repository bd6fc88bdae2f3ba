import { z } from 'zod';

/**
 * Each function's configuration, read from its environment once at cold start. The local stack
 * builds the same objects; only endpoints differ. Every missing or bad variable is named at once.
 */
const name = z.string().min(1);
const endpoint = z.url().optional();
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const Common = {
  AWS_REGION: name,
  /** Local stand-ins only; absent on AWS, where the SDK finds each service itself. */
  AWS_ENDPOINT_URL_DYNAMODB: endpoint,
  AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint,
  AWS_ENDPOINT_URL_SES: endpoint,
  AWS_ENDPOINT_URL_S3: endpoint,
};

export const IntakeConfigSchema = z.object({
  ...Common,
  REFERRALS_TABLE: name,
  EVENT_BUS_NAME: name,
});
export type IntakeConfig = z.infer<typeof IntakeConfigSchema>;

export const RepublishConfigSchema = IntakeConfigSchema.extend({
  /** Referrals younger than this are left to intake's own publish. */
  REPUBLISH_GRACE_SECONDS: z.coerce.number().int().min(0).default(120),
  REPUBLISH_BATCH_SIZE: positiveInt(100),
});
export type RepublishConfig = z.infer<typeof RepublishConfigSchema>;

export const RoutingConfigSchema = z.object({
  ...Common,
  REFERRALS_TABLE: name,
  DIRECTORY_TABLE: name,
  CONSUMER_HISTORY_TABLE: name,
  EVENT_BUS_NAME: name,
  /** The address leads are sent from (a verified SES identity). */
  LEAD_SENDER: z.email(),
  /** MNsure's PAL point of contact: the reply-to of every lead. */
  PROGRAM_CONTACT: z.email(),
  /** Key of the HMAC that turns phones and emails into repeat-detection keys; 32+ characters (on AWS read from the secret named by CONSUMER_KEY_SECRET_ARN). */
  CONSUMER_KEY_SECRET: z.string().min(32, 'must be at least 32 characters'),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  SES_MAX_ATTEMPTS: positiveInt(6),
  SES_BASE_DELAY_MS: positiveInt(200),
  SES_MAX_DELAY_MS: positiveInt(5000),
  /** Capacity assumed for an organization that stated none (leads a week). */
  DEFAULT_WEEKLY_CAPACITY: positiveInt(20),
  REPEAT_WINDOW_DAYS: positiveInt(30),
  /** ≥ 24 h: EventBridge retries an event for up to 24 h, so a crashed sender's claim outlives them. */
  LEAD_CLAIM_TTL_HOURS: z.coerce.number().min(24).default(25),
  /** Base URL of the public links API (lead pages), as organizations reach it. */
  PUBLIC_API_URL: z.url(),
  /** Signs lead-page links; 32+ characters (on AWS read from the secret named by SIGNING_SECRET_ARN). */
  SIGNING_SECRET: z.string().min(32, 'must be at least 32 characters'),
  /** How long a secure lead link works. */
  LEAD_LINK_DAYS: z.coerce.number().int().positive().default(14),
});
export type RoutingConfig = z.infer<typeof RoutingConfigSchema>;

export const LeadPageConfigSchema = z.object({
  ...Common,
  REFERRALS_TABLE: name,
  DIRECTORY_TABLE: name,
  AUDIT_TABLE: name,
  PROGRAM_CONTACT: z.email(),
  /** Checks lead-page links; 32+ characters (on AWS read from the secret named by SIGNING_SECRET_ARN). */
  SIGNING_SECRET: z.string().min(32, 'must be at least 32 characters'),
});
export type LeadPageConfig = z.infer<typeof LeadPageConfigSchema>;

export const ReportsConfigSchema = z.object({
  ...Common,
  REFERRALS_TABLE: name,
  DIRECTORY_TABLE: name,
  REPORTS_TABLE: name,
  REPORTS_BUCKET: name,
  EVENT_BUS_NAME: name,
  /** The address report emails come from (a verified SES identity). */
  REPORT_SENDER: z.email(),
  PROGRAM_CONTACT: z.email(),
  /** Where organizations reply with completed sheets: an SES receiving address. */
  INBOUND_ADDRESS: z.email(),
  /** Signs report identities and emailed link tokens; 32+ characters (on AWS read from the secret named by SIGNING_SECRET_ARN). */
  SIGNING_SECRET: z.string().min(32, 'must be at least 32 characters'),
  /** Base URL of the report-links API, as organizations reach it. */
  PUBLIC_API_URL: z.url(),
  LINK_GRACE_DAYS: z.coerce.number().int().min(0).default(14),
  /** On AWS inbound mail must carry SES's DMARC pass or a DKIM pass aligned with From; the local SES stand-in writes no verdicts. */
  REQUIRE_SENDER_AUTHENTICATION: z.enum(['true', 'false']).default('true'),
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1).default('PalReferrals'),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
});
export type ReportsConfig = z.infer<typeof ReportsConfigSchema>;

/** mail-intake: unpacks inbound email for report-ingest; it signs and checks nothing. */
export const MailIntakeConfigSchema = ReportsConfigSchema.pick({
  AWS_REGION: true,
  AWS_ENDPOINT_URL_DYNAMODB: true,
  AWS_ENDPOINT_URL_EVENTBRIDGE: true,
  AWS_ENDPOINT_URL_SES: true,
  AWS_ENDPOINT_URL_S3: true,
  DIRECTORY_TABLE: true,
  REPORTS_BUCKET: true,
  EVENT_BUS_NAME: true,
  REPORT_SENDER: true,
  PROGRAM_CONTACT: true,
  REQUIRE_SENDER_AUTHENTICATION: true,
  SES_CONFIGURATION_SET: true,
  POWERTOOLS_METRICS_NAMESPACE: true,
});
export type MailIntakeConfig = z.infer<typeof MailIntakeConfigSchema>;

/** The admin API and the pal CLI: ops' tools reach every flow, so they carry both configurations. */
export const AdminConfigSchema = RoutingConfigSchema.extend(ReportsConfigSchema.shape).extend({
  AUDIT_TABLE: name,
});
export type AdminConfig = z.infer<typeof AdminConfigSchema>;

/** ses-feedback: marks a bouncing lead contact failing and re-routes its lead (routing's needs, and the audit). */
export const MailFeedbackConfigSchema = RoutingConfigSchema.extend({
  AUDIT_TABLE: name,
});
export type MailFeedbackConfig = z.infer<typeof MailFeedbackConfigSchema>;

/** contact-confirmations: the daily "confirm your lead contact" emails and the unconfirmed flags. */
export const ContactConfirmationsConfigSchema = z.object({
  ...Common,
  DIRECTORY_TABLE: name,
  AUDIT_TABLE: name,
  EVENT_BUS_NAME: name,
  /** Sent from the lead sender, through the same configuration set: a contact that gets this gets leads. */
  LEAD_SENDER: z.email(),
  PROGRAM_CONTACT: z.email(),
  /** Signs confirmation links; 32+ characters (on AWS read from the secret named by SIGNING_SECRET_ARN). */
  SIGNING_SECRET: z.string().min(32, 'must be at least 32 characters'),
  /** Base URL of the public links API, as organizations reach it. */
  PUBLIC_API_URL: z.url(),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1).default('PalReferrals'),
  /** An organization confirmed or asked within this many days is not asked again. */
  CONTACT_CONFIRM_EVERY_DAYS: positiveInt(90),
  /** How long a confirmation link works. */
  CONTACT_CONFIRM_LINK_DAYS: positiveInt(14),
  /** Asked more than this many days ago and unconfirmed: flagged to ops. */
  CONTACT_UNCONFIRMED_AFTER_DAYS: positiveInt(14),
});
export type ContactConfirmationsConfig = z.infer<typeof ContactConfirmationsConfigSchema>;

/** contact-confirm: the public page a confirmation link opens. */
export const ContactConfirmPageConfigSchema = z.object({
  ...Common,
  DIRECTORY_TABLE: name,
  AUDIT_TABLE: name,
  PROGRAM_CONTACT: z.email(),
  /** Checks confirmation links; 32+ characters (on AWS read from the secret named by SIGNING_SECRET_ARN). */
  SIGNING_SECRET: z.string().min(32, 'must be at least 32 characters'),
});
export type ContactConfirmPageConfig = z.infer<typeof ContactConfirmPageConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses a config from the environment (or the local stack's object), naming every bad variable. */
export function loadConfig<S extends z.ZodType>(schema: S, source: Record<string, string | undefined>): z.output<S> {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return parsed.data;
}
