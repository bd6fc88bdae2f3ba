import type { LocalStack, LocalStackOptions } from '../../../infra/local/stack';
import { startLocalStack } from '../../../infra/local/stack';

/** A local stack on free ports, in memory, with retries shortened so a failure shows in seconds. */
export function startTestStack(overrides: Partial<LocalStackOptions> = {}): Promise<LocalStack> {
  return startLocalStack({
    apiPort: 0,
    sesPort: 0,
    retry: { maxAttempts: 4, maxEventAgeMs: 60_000, baseDelayMs: 50, maxDelayMs: 400 },
    sweepEveryMs: 0,
    dailyJobs: false,
    seedDemoDirectory: true,
    ...overrides,
    env: { SES_BASE_DELAY_MS: '10', SES_MAX_DELAY_MS: '50', ...overrides.env },
  });
}

export interface StoredEmail {
  readonly messageId: string;
  readonly from: string;
  readonly replyTo: string[];
  readonly destination: { to: string[]; cc: string[]; bcc: string[] };
  readonly subject: string;
  readonly body: { text?: string; html?: string };
}

/** The emails the SES stand-in received, read over its HTTP API as a person's browser would. */
export async function sentEmails(stack: Pick<LocalStack, 'sesUrl'>): Promise<StoredEmail[]> {
  const res = await fetch(`${stack.sesUrl}/store`);
  const body = (await res.json()) as { emails: StoredEmail[] };
  return body.emails;
}

export async function clearEmails(stack: Pick<LocalStack, 'sesUrl'>): Promise<void> {
  await fetch(`${stack.sesUrl}/clear-store`, { method: 'POST' });
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Waits for everything on the bus (deliveries and their retries) to finish. */
export async function settle(stack: LocalStack): Promise<void> {
  await stack.bus.idle();
}
