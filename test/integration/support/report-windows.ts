import type { ReportSendRun } from '../../../infra/local/report-send-units';
import type { LocalStack } from '../../../infra/local/stack';
import type { IsoDate } from '../../../shared/domain/minnesota-time';
import { addDays } from '../../../shared/domain/minnesota-time';
import type { ReportingWindow } from '../../../shared/domain/reporting-calendar';
import { loadDefaultReportingCalendar } from '../../../shared/domain/reporting-calendar';
import type { StoredEmail } from './local-stack';
import { postJson, sentEmails, settle } from './local-stack';
import { referralBody } from './referrals';

/*
 * Report tests that do not depend on each other: each test sends the reports of its own reporting
 * window (a report is per window and organization), so it can run alone (`-t`), in any order, and
 * what one uploads never shows in another's report. A window asked for twice is sent once (tests
 * that only read its reports may share it).
 */

/** Hennepin, Hmong: routed to the Twin Cities navigators on the demo directory. */
export const ORG_A = 'twin-cities-health-navigators';
/** Olmsted, Karen: routed to the Southern Prairie navigators. */
export const ORG_B = 'southern-prairie-navigators';

export interface WindowPlan {
  /** Days into the window (0: its first day) of the referrals to ORG_A and to ORG_B. */
  readonly a?: readonly number[];
  readonly b?: readonly number[];
  /** The ORG_A referral (by index) whose first name is a spreadsheet formula. */
  readonly formulaNameAt?: number;
  /** One more ORG_A referral on the day after the window: on none of its reports. */
  readonly nextWindowToo?: boolean;
}

export interface SentWindow {
  readonly window: ReportingWindow;
  readonly referralsA: string[];
  readonly referralsB: string[];
  readonly reportA: string;
  readonly reportB: string;
  /** What the send job planned for this window, and what each report's build did. */
  readonly sendResult: ReportSendRun;
}

export interface ReportBench {
  readonly stack: () => LocalStack;
  /** Sets the handlers' clock. */
  readonly setNow: (now: Date) => void;
}

const calendar = loadDefaultReportingCalendar();
const at = (day: IsoDate, time: string) => new Date(`${day}T${time}`);
const dayCount = (w: ReportingWindow) => Math.round((Date.parse(w.end) - Date.parse(w.start)) / 86_400_000) + 1;

export function windowSender(bench: ReportBench) {
  const sent = new Map<string, Promise<SentWindow>>();

  async function send(window: ReportingWindow, plan: WindowPlan): Promise<SentWindow> {
    const stack = bench.stack();
    bench.setNow(at(addDays(window.end, 1), '23:00:00Z'));
    const post = async (day: number, consumer: Record<string, unknown>) => {
      const body = referralBody({ referredAt: `${addDays(window.start, day)}T10:00:00-06:00`, consumer });
      const res = await postJson(`${stack.apiUrl}/referrals`, body);
      if (res.status !== 201) throw new Error(`intake answered ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { referralId: string }).referralId;
    };
    const referralsA: string[] = [];
    for (const [i, day] of (plan.a ?? []).entries()) {
      const firstName = i === plan.formulaNameAt ? '=HYPERLINK("http://evil.example","click")' : 'Avery';
      referralsA.push(await post(day, { county: 'Hennepin', preferredLanguage: 'hmn', firstName }));
    }
    const referralsB: string[] = [];
    for (const day of plan.b ?? []) {
      referralsB.push(await post(day, { county: 'Olmsted', zip: '55901', preferredLanguage: 'kar' }));
    }
    if (plan.nextWindowToo) await post(dayCount(window), { county: 'Hennepin', preferredLanguage: 'hmn' });
    await settle(stack);
    bench.setNow(at(window.sendDate, '13:00:00Z'));
    const sendResult = await stack.sendReports(window.sendDate);
    return {
      window,
      referralsA,
      referralsB,
      reportA: `${window.id}.${ORG_A}`,
      reportB: `${window.id}.${ORG_B}`,
      sendResult,
    };
  }

  /**
   * The reports of the window holding `day`, sent on its send date with the referrals of `plan`;
   * leaves the clock on the send date.
   */
  return async function sentWindow(day: IsoDate, plan: WindowPlan): Promise<SentWindow> {
    const window = calendar.windowContaining(day);
    if (!window) throw new Error(`no reporting window holds ${day}`);
    if (!sent.has(window.id)) sent.set(window.id, send(window, plan));
    const result = await sent.get(window.id)!;
    bench.setNow(at(window.sendDate, '13:00:00Z'));
    return result;
  };
}

/** The emails to an organization's lead contact whose subject matches. */
export async function emailsTo(stack: LocalStack, org: string, subject: RegExp): Promise<StoredEmail[]> {
  return (await sentEmails(stack)).filter(
    (e) => e.destination.to.includes(`leads@${org}.example.org`) && subject.test(e.subject),
  );
}

/** The report email of a window (subject: "PAL report for <start> to <end>: due …"). */
export async function reportEmail(stack: LocalStack, org: string, window: ReportingWindow): Promise<StoredEmail> {
  const [email] = await emailsTo(stack, org, new RegExp(`^PAL report for ${window.start} to ${window.end}:`));
  if (!email) throw new Error(`no report email to ${org} for ${window.id}`);
  return email;
}

/** Receipts of a window's report (complete, incomplete or already received). */
export function receiptsTo(stack: LocalStack, org: string, window: ReportingWindow): Promise<StoredEmail[]> {
  return emailsTo(stack, org, new RegExp(`^PAL report (in)?complete: ${window.start} to ${window.end}$`));
}

/**
 * Waits until ingest has handled one more file: s3rver announces an object after answering the
 * upload, so the bus may not have the event yet when the upload returns.
 */
export async function ingestOf<T>(stack: LocalStack, action: () => Promise<T>): Promise<T> {
  const before = stack.ingested.length;
  const result = await action();
  for (let i = 0; i < 200 && stack.ingested.length === before; i++) await new Promise((r) => setTimeout(r, 25));
  await settle(stack);
  return result;
}

/** A date as people type it in the US (MM/DD/YYYY). */
export function usDate(day: IsoDate): string {
  const [y, m, d] = day.split('-');
  return `${m}/${d}/${y}`;
}

export function utcDate(day: IsoDate): Date {
  return new Date(`${day}T00:00:00Z`);
}
