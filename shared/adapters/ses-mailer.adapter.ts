import type { SESClient } from '@aws-sdk/client-ses';
import type { ClientSettings, LocalCredentials } from './aws-clients';
import { sesClient } from './aws-clients';
import { SendEmailCommand } from '@aws-sdk/client-ses';
import type { Mailer, OutgoingEmail } from '../ports/mailer.port';
import { MailerError } from '../ports/mailer.port';

export interface SesMailerOptions {
  readonly from: string;
  readonly configurationSetName?: string;
  /** Attempts in all when SES says it is throttling (it then certainly did not accept the email). */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** SES errors that come with a response and so mean the email was not accepted, worth retrying. */
const RETRYABLE = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException', 'ServiceUnavailable']);

/**
 * Sends through SES v1 SendEmail. The SDK client must be built with maxAttempts 1: its own retries
 * also fire on timeouts, when SES may already have accepted the email, and a lead must go out at
 * most once. Here only answers that prove the email was refused are retried, with full-jitter backoff.
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESClient,
    private readonly options: SesMailerOptions,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const command = new SendEmailCommand({
      Source: this.options.from,
      Destination: { ToAddresses: [...email.to] },
      ...(email.replyTo && { ReplyToAddresses: [...email.replyTo] }),
      Message: {
        Subject: { Data: email.subject, Charset: 'UTF-8' },
        Body: { Text: { Data: email.text, Charset: 'UTF-8' }, Html: { Data: email.html, Charset: 'UTF-8' } },
      },
      ...(this.options.configurationSetName && { ConfigurationSetName: this.options.configurationSetName }),
      ...(email.tags && { Tags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value })) }),
    });
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await this.client.send(command);
        if (!out.MessageId) throw new MailerError('NoMessageId', false);
        return { messageId: out.MessageId };
      } catch (error) {
        const failure = toMailerError(error);
        if (!RETRYABLE.has(failure.code) || !failure.notSent || attempt >= this.options.maxAttempts) throw failure;
        const cap = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempt - 1));
        await this.sleep(Math.random() * cap);
      }
    }
  }
}

function toMailerError(error: unknown): MailerError {
  if (error instanceof MailerError) return error;
  const e = error as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  // An answer from SES (any HTTP status) means it did not accept the email, and so does a connection
  // that was never made; any other failure (a reset, a timeout) leaves it in doubt.
  const answered = typeof e.$metadata?.httpStatusCode === 'number';
  const neverConnected = e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND';
  // An answer names itself (Throttling…). A network failure says what happened in its code
  // (ECONNRESET…), or only in its message once the SDK has wrapped it; its name (TimeoutError for a
  // reset) would mislead whoever checks the lead.
  const systemCode = e.code ?? /\b(E[A-Z]{3,})\b/.exec(e.message ?? '')?.[1];
  const code = (answered ? e.name : systemCode) ?? e.name ?? 'UnknownError';
  return new MailerError(code, answered || neverConnected, { cause: error });
}

/** How the report, contact and notice emails retry a throttled send (the lead email's are configurable). */
export const DEFAULT_SES_RETRY = { maxAttempts: 6, baseDelayMs: 200, maxDelayMs: 5000 } as const;

/** A mailer sending `from` that address through the SES client of these settings, in their configuration set. */
export function sesMailer(
  settings: ClientSettings & { readonly SES_CONFIGURATION_SET?: string | undefined },
  from: string,
  credentials?: LocalCredentials,
  retry: Pick<SesMailerOptions, 'maxAttempts' | 'baseDelayMs' | 'maxDelayMs'> = DEFAULT_SES_RETRY,
): SesMailer {
  return new SesMailer(sesClient(settings, credentials), {
    from,
    ...(settings.SES_CONFIGURATION_SET && { configurationSetName: settings.SES_CONFIGURATION_SET }),
    ...retry,
  });
}
