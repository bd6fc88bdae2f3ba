import type { OutgoingEvent, EventPublisher } from '../../shared/ports/event-publisher.port';
import type { Log } from '../../shared/ports/logger.port';
import type { Mailer, OutgoingEmail } from '../../shared/ports/mailer.port';
import type { ReportFiles, StoredObject } from '../../shared/ports/report-files.port';

/** What one call to `send` does instead of accepting the email: throw this error. */
export type MailerFault = (email: OutgoingEmail) => Error | undefined;

/**
 * The mail provider in memory: every accepted email is kept, in order. `fault` makes a send throw
 * (SES refusing it, or its answer lost after it was accepted: `acceptThenFail`).
 */
export class InMemoryMailer implements Mailer {
  readonly sent: OutgoingEmail[] = [];
  /** Sends that were tried, accepted or not. */
  attempts = 0;
  fault: MailerFault = () => undefined;

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    this.attempts++;
    const error = this.fault(email);
    if (error && !(error as { accepted?: boolean }).accepted) throw error;
    this.sent.push(email);
    if (error) throw error;
    return { messageId: `message-${this.sent.length}` };
  }

  /** The emails sent to an address. */
  to(address: string): OutgoingEmail[] {
    return this.sent.filter((e) => e.to.includes(address));
  }
}

/** An error thrown after the provider accepted the email (a lost answer), for `InMemoryMailer.fault`. */
export function acceptThenFail(error: Error): Error {
  return Object.assign(error, { accepted: true });
}

/** The event bus in memory: published events kept in order; `failNext` refuses the next publishes. */
export class InMemoryEvents implements EventPublisher {
  readonly published: OutgoingEvent[] = [];
  private failures = 0;

  failNext(count = 1): void {
    this.failures = count;
  }

  async publish(events: readonly OutgoingEvent[]): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('EventBridge refused the events');
    }
    this.published.push(...events);
  }

  /** The `data` of every published event of a detail type. */
  dataOf(detailType: string): Record<string, unknown>[] {
    return this.published
      .filter((e) => e.detailType === detailType)
      .map((e) => e.detail.data as Record<string, unknown>);
  }
}

/** A log that keeps what was written, so a test can say what ops would see (and what never appears). */
export class MemoryLog implements Log {
  readonly lines: { level: 'debug' | 'info' | 'warn' | 'error'; message: string; extra: Record<string, unknown> }[] =
    [];

  debug(message: string, ...extra: Record<string, unknown>[]): void {
    this.write('debug', message, extra);
  }
  info(message: string, ...extra: Record<string, unknown>[]): void {
    this.write('info', message, extra);
  }
  warn(message: string, ...extra: Record<string, unknown>[]): void {
    this.write('warn', message, extra);
  }
  error(message: string, ...extra: Record<string, unknown>[]): void {
    this.write('error', message, extra);
  }

  messages(level?: 'debug' | 'info' | 'warn' | 'error'): string[] {
    return this.lines.filter((l) => !level || l.level === level).map((l) => l.message);
  }

  private write(level: 'debug' | 'info' | 'warn' | 'error', message: string, extra: Record<string, unknown>[]) {
    this.lines.push({ level, message, extra: Object.assign({}, ...extra) as Record<string, unknown> });
  }
}

/** The reports bucket in memory: objects with their metadata; a missing key throws as S3's NoSuchKey. */
export class InMemoryReportFiles implements ReportFiles {
  readonly objects = new Map<string, StoredObject>();

  async put(key: string, body: Buffer, _contentType: string, metadata?: Record<string, string>): Promise<void> {
    this.objects.set(key, { body, ...(metadata && { metadata }) });
  }
  async get(key: string, maxBytes: number) {
    const object = this.objects.get(key);
    if (!object) throw Object.assign(new Error(`The specified key does not exist: ${key}`), { name: 'NoSuchKey' });
    return object.body.length > maxBytes
      ? { tooLarge: object.body.length, ...(object.metadata && { metadata: object.metadata }) }
      : object;
  }
  async downloadUrl(key: string, fileName: string): Promise<string> {
    return `https://files.example.org/${key}?name=${encodeURIComponent(fileName)}`;
  }
  async uploadForm(key: string) {
    return { url: 'https://files.example.org/', fields: { key } };
  }
}
