import { z } from 'zod';

/*
 * SES's feedback on the mail we send, as a configuration set's EventBridge destination delivers it:
 * source `aws.ses`, detail-type `Email Bounced` or `Email Complaint Received`, and as detail the
 * same event record SES publishes to SNS or Firehose. Only the fields this system reads are
 * checked; SES adds others (headers, diagnostic codes, MTAs) and may add more.
 */

export const SES_SOURCE = 'aws.ses';
export const SES_FEEDBACK_DETAIL_TYPES = ['Email Bounced', 'Email Complaint Received'] as const;

const Recipient = z.object({ emailAddress: z.string().min(1) });
const Timestamp = z.iso.datetime({ offset: true });

export const SesFeedbackDetailSchema = z.object({
  eventType: z.enum(['Bounce', 'Complaint']),
  bounce: z
    .object({
      bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']),
      bounceSubType: z.string().min(1),
      bouncedRecipients: z.array(Recipient).min(1),
      timestamp: Timestamp.optional(),
    })
    .optional(),
  complaint: z
    .object({
      complainedRecipients: z.array(Recipient).min(1),
      complaintFeedbackType: z.string().min(1).optional(),
      timestamp: Timestamp.optional(),
    })
    .optional(),
  mail: z.object({
    messageId: z.string().min(1),
    timestamp: Timestamp,
    destination: z.array(z.string()),
    /** Message tags, each a list of values (SES adds its own, e.g. `ses:configuration-set`). */
    tags: z.record(z.string(), z.array(z.string())).optional(),
  }),
});
export type SesFeedbackDetail = z.infer<typeof SesFeedbackDetailSchema>;

export const SesFeedbackEventSchema = z.object({
  source: z.literal(SES_SOURCE),
  'detail-type': z.enum(SES_FEEDBACK_DETAIL_TYPES),
  time: Timestamp,
  detail: SesFeedbackDetailSchema.refine((d) => (d.eventType === 'Bounce' ? !!d.bounce : !!d.complaint), {
    message: 'a Bounce carries `bounce`, a Complaint `complaint`',
  }),
});

/** What one SES feedback event means for this system. */
export interface MailFeedback {
  /** `hard`: a permanent bounce or a complaint, the address must not get leads; `soft`: logged only. */
  readonly severity: 'hard' | 'soft';
  readonly reason: 'bounce' | 'complaint';
  /** SES's bounce type and subtype (`Permanent/NoEmail`) or complaint feedback type (`abuse`). */
  readonly feedbackType?: string;
  /** The failing addresses, lower-cased. */
  readonly recipients: readonly string[];
  readonly messageId: string;
  /** When the bounce or complaint happened: the same for every delivery of the event. */
  readonly at: string;
  /** Our message tags: which lead (referralId) went to which organization. */
  readonly referralId?: string;
  readonly organizationId?: string;
}

/** Reads SES's event record: which addresses failed, how badly, and which of our emails it was. */
export function readMailFeedback(detail: SesFeedbackDetail, eventTime: string): MailFeedback {
  const tag = (name: string) => detail.mail.tags?.[name]?.[0];
  const referralId = tag('referralId');
  const organizationId = tag('organizationId');
  const common = {
    messageId: detail.mail.messageId,
    ...(referralId && { referralId }),
    ...(organizationId && { organizationId }),
  };
  if (detail.eventType === 'Bounce' && detail.bounce) {
    const { bounce } = detail;
    return {
      ...common,
      severity: bounce.bounceType === 'Permanent' ? 'hard' : 'soft',
      reason: 'bounce',
      feedbackType: `${bounce.bounceType}/${bounce.bounceSubType}`,
      recipients: addresses(bounce.bouncedRecipients),
      at: instant(bounce.timestamp ?? eventTime),
    };
  }
  const complaint = detail.complaint!;
  return {
    ...common,
    severity: 'hard',
    reason: 'complaint',
    ...(complaint.complaintFeedbackType && { feedbackType: complaint.complaintFeedbackType }),
    recipients: addresses(complaint.complainedRecipients),
    at: instant(complaint.timestamp ?? eventTime),
  };
}

/** Email addresses compare case-insensitively here (an organization's mailbox is not case-sensitive in practice). */
export function sameAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function addresses(recipients: readonly { emailAddress: string }[]): string[] {
  return [...new Set(recipients.map((r) => r.emailAddress.trim().toLowerCase()))];
}

function instant(iso: string): string {
  return new Date(iso).toISOString();
}
