import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import type { LocalStack } from '../../infra/local/stack';
import type { StoredEmail } from './support/local-stack';
import { clearEmails, postJson, sentEmails, settle, startTestStack } from './support/local-stack';
import { referralBody } from './support/referrals';
import { linksOf } from './support/reports';

/*
 * Minnesota's state IT accessibility standard is WCAG 2.1 AA. Every page and email the system
 * shows a person (organizations' staff opening a lead, a report link or a contact confirmation;
 * the PAL point of contact on the ops page) is loaded in headless Chromium (Debian's package;
 * .ci/run installs it) and checked with axe-core against WCAG 2.0/2.1 A and AA. axe finds about
 * half of what a person with a screen reader would; it catches regressions, it does not replace one.
 */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const maybe = CHROMIUM ? describe : describe.skip;
if (!CHROMIUM) console.warn('Chromium is not installed (apt install chromium): the accessibility checks are skipped');
const AXE = require.resolve('axe-core/axe.min.js');
const DAY = 86_400_000;

let stack: LocalStack;
let browser: Browser | undefined;
let now = new Date('2017-11-20T18:00:00Z');
let leadEmail: StoredEmail;
let reportEmail: StoredEmail;
let contactEmail: StoredEmail;

beforeAll(async () => {
  stack = await startTestStack({ clock: () => now });
  // One routed in the first window (reported on Nov 22), one unroutable (listed on the ops page).
  await postJson(
    `${stack.apiUrl}/referrals`,
    referralBody({ referredAt: '2017-11-06T10:00:00-06:00', consumer: { county: 'Hennepin', zip: '55404' } }),
  );
  await postJson(
    `${stack.apiUrl}/referrals`,
    referralBody({ referredAt: '2017-11-09T10:00:00-06:00', consumer: { county: 'Kittson', zip: '56728' } }),
  );
  await settle(stack);
  leadEmail = (await sentEmails(stack)).find((e) => e.subject.startsWith('New PAL referral'))!;

  await clearEmails(stack);
  now = new Date('2017-11-22T13:00:00Z');
  await stack.sendReports('2017-11-22');
  reportEmail = (await sentEmails(stack))[0]!;
  now = new Date('2017-12-01T15:00:00Z');
  await stack.checkDueReports('2017-12-01');

  // The demo directory is loaded as confirmed: 100 days on, every contact is asked again.
  await clearEmails(stack);
  now = new Date(now.getTime() + 100 * DAY);
  await stack.checkContactConfirmations();
  contactEmail = (await sentEmails(stack))[0]!;
  now = new Date(now.getTime() + DAY);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stack.stop();
});

interface Violation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: { target: string[] }[];
}

/** axe's WCAG 2.0/2.1 A and AA rules on the page as loaded; the pages' own CSP is bypassed to inject it. */
async function violationsOf(load: (page: Page) => Promise<unknown>): Promise<string[]> {
  const context = await browser!.newContext({ bypassCSP: true, javaScriptEnabled: true });
  try {
    const page = await context.newPage();
    await load(page);
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async () => {
      // In the page: axe-core's global and the document (this project compiles without DOM types).
      const { axe, document } = globalThis as unknown as {
        axe: { run: (context: unknown, options: object) => Promise<unknown> };
        document: unknown;
      };
      const result = (await axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      })) as { violations: Violation[] };
      return result.violations;
    });
    return violations.map(
      (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  } finally {
    await context.close();
  }
}

/** Opens the page, and checks it is the one meant (a refused link would show its 403 page instead). */
const open = (url: string, heading: string | RegExp) => async (page: Page) => {
  await page.goto(url);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor({ timeout: 20_000 });
};

/** Runs `check` with the stack's clock at `instant` (links expire: each page is seen while its link works). */
async function at<T>(instant: string, check: () => Promise<T>): Promise<T> {
  const saved = now;
  now = new Date(instant);
  try {
    return await check();
  } finally {
    now = saved;
  }
}
const show = (html: string) => (page: Page) => page.setContent(html);

maybe('WCAG 2.1 AA (axe-core in headless Chromium)', () => {
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM!,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  });

  it('the ops page, and the performance page the admin API exports', async () => {
    expect(await violationsOf(open(`${stack.apiUrl}/ops`, 'PAL operations'))).toEqual([]);
    const performance = await fetch(`${stack.apiUrl}/admin/performance?from=2017-11-01&to=2017-11-30&format=html`, {
      headers: { 'x-pal-admin-key': stack.adminKey },
    });
    expect(performance.status).toBe(200);
    expect(await violationsOf(show(await performance.text()))).toEqual([]);
  });

  it('the secure lead page, before and after Show the lead, and the lead email', async () => {
    const url = /on MNsure's secure page: (\S+)/.exec(leadEmail.body.text ?? '')![1]!;
    await at('2017-11-21T15:00:00Z', async () => {
      expect(await violationsOf(open(url, /^PAL referral/))).toEqual([]);
      expect(
        await violationsOf(async (page) => {
          await open(url, /^PAL referral/)(page);
          await page.getByRole('button', { name: 'Show the lead' }).click();
          await page.getByRole('table').waitFor({ timeout: 20_000 });
        }),
      ).toEqual([]);
    });
    expect(await violationsOf(show(leadEmail.body.html!))).toEqual([]);
  });

  it('the report upload page, and the report email', async () => {
    await at('2017-11-23T15:00:00Z', async () => {
      expect(await violationsOf(open(linksOf(reportEmail).upload, /upload/i))).toEqual([]);
    });
    expect(await violationsOf(show(reportEmail.body.html!))).toEqual([]);
  });

  it('the contact confirmation page, its thank-you page, and the confirmation email', async () => {
    const url = /Confirm the lead contact: (\S+)/.exec(contactEmail.body.text ?? '')![1]!;
    expect(await violationsOf(open(url, 'Confirm your lead contact'))).toEqual([]);
    expect(
      await violationsOf(async (page) => {
        await open(url, 'Confirm your lead contact')(page);
        await page.getByRole('button', { name: 'Confirm' }).click();
        await page.getByRole('heading', { level: 1, name: 'Thank you' }).waitFor({ timeout: 20_000 });
      }),
    ).toEqual([]);
    expect(await violationsOf(show(contactEmail.body.html!))).toEqual([]);
  });

  it('the page a refused link shows', async () => {
    const url = /Confirm the lead contact: (\S+)/.exec(contactEmail.body.text ?? '')![1]!;
    expect(await violationsOf(open(url.replace(/token=.*/, 'token=forged'), 'This link cannot be used'))).toEqual([]);
  });
});
