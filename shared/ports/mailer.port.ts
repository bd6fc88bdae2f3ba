export interface OutgoingEmail {
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly replyTo?: readonly string[];
  /** Message tags (SES returns them with bounce and complaint events); ids only, never PII. */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface Mailer {
  /** Sends one email; resolves with the provider's message id, or throws a MailerError. */
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

/** What the mail provider said, reduced to a code that is safe to log and store. */
export class MailerError extends Error {
  constructor(
    readonly code: string,
    /** true when the provider certainly did not accept the email (it may be sent again). */
    readonly notSent: boolean,
    options?: { cause?: unknown },
  ) {
    super(`The mail provider refused the email (${code})`, options);
    this.name = 'MailerError';
  }
}
