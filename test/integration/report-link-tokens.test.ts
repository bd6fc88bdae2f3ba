import type { LocalStack } from '../../infra/local/stack';
import type { StoredEmail } from './support/local-stack';
import { postJson, sentEmails, settle, startTestStack } from './support/local-stack';
import { referralBody } from './support/referrals';
import { linksOf } from './support/reports';

/*
 * The links in report emails carry a signed, expiring token scoped to one report. An expired token,
 * or another organization's valid token (for its own report) used on this report, gets a 403 that
 * reveals nothing: no report id, organization id or name, reporting window, consumer, or email
 * address other than MNsure's published program contact. (Tampered tokens and a token moved to
 * another report's URL are in reports.test.ts.)
 *
 * OE5's first window: Nov 1–15 2017, sent Nov 22, due Nov 29; links live 14 days past the due date,
 * to the end of Dec 13 in Minnesota.
 */
let stack: LocalStack;
let now = new Date('2017-11-16T23:00:00Z');
const ORG_A = 'twin-cities-health-navigators';
const ORG_B = 'southern-prairie-navigators';
const REPORT_A = `2017-11-01_2017-11-15.${ORG_A}`;
const REPORT_B = `2017-11-01_2017-11-15.${ORG_B}`;
const PROGRAM_CONTACT = 'assisterleads@mnsure.example.org';
let linksA: { download: string; upload: string };
let linksB: { download: string; upload: string };

/** Everything that must not appear on a refusal page. */
const SECRETS: RegExp[] = [
  /2017-11-01_2017-11-15/,
  new RegExp(ORG_A),
  new RegExp(ORG_B),
  /twin.cities|southern.prairie/i,
  /2017-11-(01|15|22|29)|11\/(01|1|15|22|29)\/2017|November (1|15|22|29)\b/,
  /Quillon|Zephyrine|Example/,
  /ref_[a-z2-7]/,
  /\.xlsx|returned\/|reports\//,
];

async function reportEmailTo(org: string): Promise<StoredEmail> {
  const email = (await sentEmails(stack)).find(
    (e) => e.destination.to.includes(`leads@${org}.example.org`) && /^PAL report for/.test(e.subject),
  );
  if (!email) throw new Error(`no report email to ${org}`);
  return email;
}

/** A link with this report's path and another link's token. */
function withTokenOf(link: string, other: string): string {
  const token = new URL(other).searchParams.get('token')!;
  const url = new URL(link);
  url.searchParams.set('token', token);
  return url.toString();
}

async function expectRefusedWithoutLeaks(link: string, reason: RegExp) {
  const res = await fetch(link, { redirect: 'manual' });
  const page = await res.text();
  expect(res.status).toBe(403);
  expect(page).toMatch(reason);
  expect(res.headers.get('location')).toBeNull();
  expect(res.headers.get('cache-control')).toBe('no-store');
  const everything = `${page}\n${JSON.stringify([...res.headers])}`;
  for (const secret of SECRETS) expect(everything).not.toMatch(secret);
  const addresses = everything.match(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g) ?? [];
  expect(addresses.filter((a) => a !== PROGRAM_CONTACT)).toEqual([]);
  expect(page).not.toMatch(/<form|<input/);
}

beforeAll(async () => {
  stack = await startTestStack({ clock: () => now });
  for (const consumer of [
    { county: 'Hennepin', preferredLanguage: 'hmn', firstName: 'Quillon' },
    { county: 'Olmsted', zip: '55901', preferredLanguage: 'kar', firstName: 'Zephyrine' },
  ]) {
    const res = await postJson(
      `${stack.apiUrl}/referrals`,
      referralBody({ referredAt: '2017-11-06T10:00:00-06:00', consumer }),
    );
    expect(res.status).toBe(201);
  }
  await settle(stack);
  now = new Date('2017-11-22T13:00:00Z');
  const sent = await stack.sendReports('2017-11-22');
  expect(sent.built.map((s) => `${s.outcome} ${s.reportId}`).sort()).toEqual(
    [`sent ${REPORT_A}`, `sent ${REPORT_B}`].sort(),
  );
  linksA = linksOf(await reportEmailTo(ORG_A));
  linksB = linksOf(await reportEmailTo(ORG_B));
}, 60_000);
afterAll(() => stack.stop());

describe("another organization's valid token, used on this organization's report", () => {
  it('works on its own report (the control)', async () => {
    expect((await fetch(linksB.download, { redirect: 'manual' })).status).toBe(302);
    expect((await fetch(linksA.download, { redirect: 'manual' })).status).toBe(302);
    expect((await fetch(linksB.upload)).status).toBe(200);
  });

  it.each([
    ['download', () => withTokenOf(linksA.download, linksB.download)],
    ['upload', () => withTokenOf(linksA.upload, linksB.upload)],
    ['upload confirmation', () => withTokenOf(linksA.upload.replace('/upload?', '/uploaded?'), linksB.upload)],
  ])('is refused on the %s page with a 403 that reveals nothing', async (_page, link) => {
    await expectRefusedWithoutLeaks(link(), /This link is not valid/);
  });

  it('is refused when a download token is used to upload, even for its own report', async () => {
    await expectRefusedWithoutLeaks(withTokenOf(linksA.upload, linksA.download), /This link is not valid/);
  });
});

describe('an expired token', () => {
  afterEach(() => {
    now = new Date('2017-11-22T13:00:00Z');
  });

  it('still works at the last minute of its last day in Minnesota (Dec 13, 23:59 CST)', async () => {
    now = new Date('2017-12-14T05:59:00Z');
    expect((await fetch(linksA.download, { redirect: 'manual' })).status).toBe(302);
    expect((await fetch(linksA.upload)).status).toBe(200);
  });

  it.each([
    ['download', () => linksA.download],
    ['upload', () => linksA.upload],
    ['upload confirmation', () => linksA.upload.replace('/upload?', '/uploaded?')],
  ])('is refused on the %s page from Dec 14 on, with a 403 that says so and reveals nothing', async (_page, link) => {
    now = new Date('2017-12-14T06:00:01Z');
    await expectRefusedWithoutLeaks(link(), /This link has expired/);
    now = new Date('2018-06-01T12:00:00Z');
    await expectRefusedWithoutLeaks(link(), /This link has expired/);
  });
});
