import { PutObjectCommand } from '@aws-sdk/client-s3';
import * as XLSX from 'xlsx';
import type { LocalStack } from '../../infra/local/stack';
import { LOCAL_CREDENTIALS, REPORTS_BUCKET } from '../../infra/local/stack';
import { s3Client } from '../../shared/adapters/aws-clients';
import type { IsoDate } from '../../shared/domain/minnesota-time';
import { addDays } from '../../shared/domain/minnesota-time';
import { storesOf } from './support/directory';
import { sentEmails, startTestStack } from './support/local-stack';
import { resaveWithLibreOffice, SOFFICE } from './support/libreoffice';
import {
  emailsTo,
  ingestOf,
  ORG_A,
  ORG_B,
  receiptsTo,
  reportEmail,
  usDate,
  utcDate,
  windowSender,
} from './support/report-windows';
import { download, fillReport, linksOf, rawEmail, upload } from './support/reports';

/*
 * Biweekly reporting on the stand-ins: the send job builds and emails each organization its
 * sheet; the organization downloads it through the emailed link, fills it in and returns it by
 * upload or by email; ingest stores the outcomes and emails a receipt. Each test sends the reports
 * of its own reporting window (support/report-windows.ts), so none depends on another having run.
 * The due-date job is in reports-due-dates.test.ts.
 */
let stack: LocalStack;
/** The handlers' clock, moved by the tests. */
let now = new Date('2017-11-16T23:00:00Z');
const sentWindow = windowSender({ stack: () => stack, setNow: (d) => (now = d) });
const stores = () => storesOf(stack);

/** OE5's first window (Nov 1–15 2017, sent Nov 22, due Nov 29): read, never written, by the tests below. */
const firstWindow = () =>
  sentWindow('2017-11-01' as IsoDate, { a: [1, 5, 8, 14], b: [2, 13], formulaNameAt: 2, nextWindowToo: true });

beforeAll(async () => {
  stack = await startTestStack({ clock: () => now });
}, 60_000);
afterAll(() => stack.stop());

describe('the report-send job', () => {
  it('emails each organization that received referrals one report, with counts, due date and links', async () => {
    const { sendResult, reportA, reportB, window } = await firstWindow();

    expect(sendResult.windows).toEqual(['2017-11-01_2017-11-15']);
    // One unit per organization with referrals, each built by its own delivery (report-send-fanout.test.ts).
    expect(sendResult.requested.map((u) => u.reportId).sort()).toEqual([reportA, reportB].sort());
    expect([...sendResult.built].sort((x, y) => x.reportId.localeCompare(y.reportId))).toEqual([
      { outcome: 'sent', reportId: reportB, referralCount: 2 },
      { outcome: 'sent', reportId: reportA, referralCount: 4 },
    ]);
    const email = await reportEmail(stack, ORG_A, window);
    expect(email.subject).toBe('PAL report for 2017-11-01 to 2017-11-15: due 2017-11-29');
    expect(email.body.text).toContain('Referrals MNsure sent you in this window: 4');
    expect(email.body.text).toContain('Due back by: Wednesday, November 29, 2017');
    expect(email.body.text).toContain('reply to this email with the completed spreadsheet attached');
    expect(email.replyTo).toEqual(['pal-returns@inbound.mnsure.example.org']);
    expect(email.body.text).not.toMatch(/Avery|555-01|55501/);
  });

  it('sends nothing twice when run again for the same day', async () => {
    const { window, reportA, reportB } = await firstWindow();
    const before = (await sentEmails(stack)).length;

    const again = await stack.sendReports(window.sendDate);

    expect(again.requested).toEqual([]);
    expect(again.built).toEqual([]);
    expect([...again.alreadySent].sort()).toEqual([reportA, reportB].sort());
    expect((await sentEmails(stack)).length).toBe(before);
  });

  it('serves the sheet through the emailed download link, readable by a second reader (SheetJS)', async () => {
    const { window, referralsA } = await firstWindow();
    const xlsx = await download(linksOf(await reportEmail(stack, ORG_A, window)).download);

    const book = XLSX.read(xlsx, { type: 'buffer' });
    expect(book.SheetNames).toEqual(expect.arrayContaining(['Instructions', 'Referrals']));
    const rows = XLSX.utils.sheet_to_json<Record<string, unknown>>(book.Sheets.Referrals!);
    expect(rows.map((r) => r['Referral ID'])).toEqual(referralsA);
    // The third referral's first name is a formula: the sheet holds it as text, never as a formula.
    const injected = book.Sheets.Referrals!['C4'];
    expect(injected).toMatchObject({ t: 's' });
    expect(injected!.f).toBeUndefined();
  });

  it('refuses a tampered or another report’s token with a 403 page that reveals nothing', async () => {
    const { window, reportA, reportB } = await firstWindow();
    const { download: link } = linksOf(await reportEmail(stack, ORG_A, window));
    const tampered = link.replace(/token=([^.]+)\./, (_m, body: string) => `token=${body.slice(0, -2)}AA.`);
    const otherReport = link.replace(encodeURIComponent(reportA), encodeURIComponent(reportB));

    for (const bad of [tampered, otherReport, link.replace(/token=.*/, 'token=')]) {
      const res = await fetch(bad, { redirect: 'manual' });
      const page = await res.text();
      expect(res.status).toBe(403);
      expect(page).toContain('This link is not valid');
      expect(page).not.toMatch(/twin-cities|southern-prairie|Avery|ref_/);
    }
  });
});

describe('a returned sheet', () => {
  it('uploaded with some bad rows: the good rows are stored, the receipt names each bad one', async () => {
    const { window, referralsA, reportA } = await sentWindow('2026-11-02' as IsoDate, { a: [1, 5, 8, 14] });
    const links = linksOf(await reportEmail(stack, ORG_A, window));
    const [r1, r2, r3, r4] = referralsA as [string, string, string, string];
    const filled = await fillReport(await download(links.download), {
      [r1]: {
        contactMade: 'Y',
        contactDate: utcDate(addDays(window.start, 2)),
        resolution: 'Contact made appointment scheduled',
      },
      [r2]: { contactMade: 'y', contactDate: usDate(addDays(window.start, 7)), resolution: 'eligible for ma' },
      [r3]: { contactMade: 'N', resolution: 'Enrolled in QHP' },
      // Contact five days before the referral was made.
      [r4]: { contactMade: 'Y', contactDate: addDays(window.start, 9), resolution: 'Eligible for MinnesotaCare' },
    });

    const res = await ingestOf(stack, () => upload(links.upload, filled));

    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Report received');
    expect(stack.ingested.at(-1)).toEqual([expect.objectContaining({ outcome: 'ingested', reportId: reportA })]);
    const stored = await Promise.all(referralsA.map((id) => stores().referrals.get(id)));
    expect(stored[0]!.outcome).toMatchObject({
      contactMade: true,
      contactDate: addDays(window.start, 2),
      resolution: 'Contact made appointment scheduled',
      reportId: reportA,
    });
    expect(stored[1]!.outcome).toMatchObject({
      contactMade: true,
      contactDate: addDays(window.start, 7),
      resolution: 'Eligible for MA',
    });
    expect(stored[2]!.outcome).toBeUndefined();
    expect(stored[3]!.outcome).toBeUndefined();
    expect(await stores().reports.get(reportA)).toMatchObject({ status: 'incomplete', missingReferralIds: [r3, r4] });

    const [receipt] = await receiptsTo(stack, ORG_A, window);
    expect(receipt!.subject).toMatch(/^PAL report incomplete/);
    expect(receipt!.body.text).toContain('Rows accepted: 2');
    expect(receipt!.body.text).toMatch(new RegExp(`Row 4, referral ${r3}, Resolution: `));
    expect(receipt!.body.text).toMatch(new RegExp(`Row 5, referral ${r4}, Contact Date: `));
  });

  it('the same file uploaded again changes nothing, and its receipt says so', async () => {
    const { window, referralsA, reportA } = await sentWindow('2026-11-17' as IsoDate, { a: [1, 5, 8, 12] });
    const links = linksOf(await reportEmail(stack, ORG_A, window));
    const sheet = await download(links.download);
    const [r1, r2, r3, r4] = referralsA as [string, string, string, string];
    const day = (n: number) => addDays(window.start, n);
    const earlier = { contactMade: 'Y', contactDate: day(3), resolution: 'Contact made appointment scheduled' };
    const second = { contactMade: 'Y', contactDate: day(7), resolution: 'Eligible for MA' };
    await ingestOf(stack, async () => upload(links.upload, await fillReport(sheet, { [r1]: earlier, [r2]: second })));
    const filled = await fillReport(sheet, {
      [r1]: earlier,
      [r2]: second,
      [r3]: { contactMade: 'N', resolution: 'Unable to contact' },
      [r4]: { contactMade: 'Y', contactDate: day(13), resolution: 'Enrolled in QHP', comments: 'Chose a silver plan' },
    });

    await ingestOf(stack, () => upload(links.upload, filled));
    await ingestOf(stack, () => upload(links.upload, filled));

    expect(stack.ingested.slice(-2).flat()).toEqual([
      // Rows 1 and 2 hold what the first upload stored: accepted again, not changed.
      expect.objectContaining({ outcome: 'ingested', accepted: 4, changed: 2 }),
      expect.objectContaining({ outcome: 'ingested', changed: 0, alreadyAppliedAt: expect.any(String) }),
    ]);
    const receipts = await receiptsTo(stack, ORG_A, window);
    expect(receipts.map((r) => r.subject.split(':')[0])).toEqual(['PAL report incomplete', 'PAL report complete']);
    const [again] = await emailsTo(stack, ORG_A, new RegExp(`^PAL report already received: ${window.start}`));
    expect(again!.body.text).toMatch(/This file was already applied on \w+day, .+; nothing changed\./);
    expect(await stores().reports.get(reportA)).toMatchObject({ status: 'complete', missingReferralIds: [] });
    expect((await stores().referrals.get(r3))!.outcome).toMatchObject({
      contactMade: false,
      resolution: 'Unable to contact',
    });
  });

  it('replied by email from the designated contact is ingested; from anyone else it is refused, and they are not written to', async () => {
    const { window, referralsB } = await sentWindow('2026-12-01' as IsoDate, { b: [2, 9] });
    const sheet = await download(linksOf(await reportEmail(stack, ORG_B, window)).download);
    const [b1, b2] = referralsB as [string, string];
    // 43047 is 2017-11-08 as a spreadsheet serial: a date typed into a cell formatted as a number.
    const serial = (day: IsoDate) => 25569 + Date.parse(day) / 86_400_000;
    const filled = await fillReport(sheet, {
      [b1]: {
        contactMade: 'Y',
        contactDate: serial(addDays(window.start, 4)),
        resolution: 'Assisted with technical issue only',
      },
      [b2]: { contactMade: 'N', resolution: 'No longer needs assistance' },
    });
    const s3 = s3Client(stack.config.reports, LOCAL_CREDENTIALS);
    const put = (key: string, body: Buffer) =>
      s3.send(new PutObjectCommand({ Bucket: REPORTS_BUCKET, Key: key, Body: body }));

    await ingestOf(stack, async () =>
      put(`inbound/stranger-${window.id}.eml`, await rawEmail('someone@elsewhere.example.org', filled)),
    );
    // Refused by mail-intake from the header block alone, before any attachment is read.
    expect(stack.ingested.at(-1)).toEqual([expect.objectContaining({ outcome: 'refused', refusal: 'unknown-sender' })]);
    expect((await stores().referrals.get(b1))!.outcome).toBeUndefined();
    expect((await sentEmails(stack)).some((e) => e.destination.to.includes('someone@elsewhere.example.org'))).toBe(
      false,
    );

    const fromContact = await rawEmail(`Lead Desk <leads@${ORG_B}.example.org>`, filled);
    await ingestOf(stack, () => put(`inbound/contact-${window.id}.eml`, fromContact));
    expect(stack.ingested.at(-1)).toEqual([
      expect.objectContaining({ outcome: 'ingested', status: 'complete', accepted: 2 }),
    ]);
    expect((await stores().referrals.get(b1))!.outcome).toMatchObject({
      contactDate: addDays(window.start, 4),
      resolution: 'Assisted with technical issue only',
    });
  });
});

describe('a sheet re-saved by LibreOffice Calc', () => {
  // .ci/run installs Debian's libreoffice-calc-nogui; without it this cannot be checked here.
  const maybe = SOFFICE ? it : it.skip;
  maybe('is read as the same report, with every outcome as filled in', async () => {
    const { window, referralsB } = await sentWindow('2026-12-15' as IsoDate, { b: [2, 9] });
    const links = linksOf(await reportEmail(stack, ORG_B, window));
    const [b1, b2] = referralsB as [string, string];
    const filled = await fillReport(await download(links.download), {
      [b1]: {
        contactMade: 'Y',
        contactDate: utcDate(addDays(window.start, 5)),
        resolution: 'Enrolled in QHP',
        comments: 'Signed up — «bronze» plan',
      },
      [b2]: { contactMade: 'n', resolution: 'Unable to contact' },
    });
    const resaved = await resaveWithLibreOffice(filled);
    expect(resaved.equals(filled)).toBe(false);

    await ingestOf(stack, () => upload(links.upload, resaved));

    expect(stack.ingested.at(-1)).toEqual([expect.objectContaining({ outcome: 'ingested', accepted: 2, problems: 0 })]);
    expect((await stores().referrals.get(b1))!.outcome).toMatchObject({
      contactMade: true,
      contactDate: addDays(window.start, 5),
      resolution: 'Enrolled in QHP',
      comments: 'Signed up — «bronze» plan',
    });
    expect((await stores().referrals.get(b2))!.outcome).toMatchObject({
      contactMade: false,
      resolution: 'Unable to contact',
    });
  });
});

describe('dangerous or foreign files', () => {
  async function uploadToA(body: Buffer, name = 'report.xlsx') {
    const { window } = await firstWindow();
    await ingestOf(stack, async () => upload(linksOf(await reportEmail(stack, ORG_A, window)).upload, body, name));
    return stack.ingested.at(-1)![0]!;
  }

  it.each([
    ['a text file named .xlsx', () => Buffer.from('Referral ID,Contact Made\nref_x,Y\n'), 'not-xlsx'],
    [
      'a password-protected file (an OLE container holding EncryptionInfo)',
      () =>
        Buffer.concat([
          Buffer.from('d0cf11e0a1b11ae1', 'hex'),
          Buffer.alloc(504),
          Buffer.from('EncryptionInfo', 'utf16le'),
          Buffer.alloc(2048),
        ]),
      'encrypted',
    ],
    [
      'an old-format .xls (an OLE container)',
      () => Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(2048)]),
      'not-xlsx',
    ],
  ])('%s is refused, with its reason mailed to the organization', async (_label, make, rule) => {
    const refusalsBefore = (await emailsTo(stack, ORG_A, /^PAL report not accepted/)).length;

    const result = await uploadToA(make());

    expect(result).toMatchObject({ outcome: 'refused', refusal: rule });
    expect(await emailsTo(stack, ORG_A, /^PAL report not accepted/)).toHaveLength(refusalsBefore + 1);
  });

  it("another organization's sheet uploaded through this organization's link is refused and stores nothing", async () => {
    const { window, referralsB } = await firstWindow();
    const sheetB = await download(linksOf(await reportEmail(stack, ORG_B, window)).download);
    const [b1] = referralsB as [string];
    const filled = await fillReport(sheetB, {
      [b1]: { contactMade: 'Y', contactDate: '2017-11-20', resolution: 'Enrolled in QHP' },
    });

    const result = await uploadToA(filled);

    expect(result).toMatchObject({ outcome: 'refused', refusal: 'wrong-report' });
    expect((await stores().referrals.get(b1))!.outcome).toBeUndefined();
  });

  it('formula cells and rows for referrals not in the report are refused row by row, replacing nothing', async () => {
    const { window, referralsA } = await sentWindow('2026-12-29' as IsoDate, { a: [1] });
    const links = linksOf(await reportEmail(stack, ORG_A, window));
    const sheet = await download(links.download);
    const [r1] = referralsA as [string];
    const contactDate = addDays(window.start, 2);
    await ingestOf(stack, async () =>
      upload(
        links.upload,
        await fillReport(sheet, { [r1]: { contactMade: 'Y', contactDate, resolution: 'Enrolled in QHP' } }),
      ),
    );
    const filled = await fillReport(
      sheet,
      { [r1]: { contactMade: 'Y', formula: 'contactDate', resolution: 'Enrolled in QHP' } },
      { ref_aaaaaaaaaaaaaaaaaaaaaaaaaa: { contactMade: 'Y', contactDate, resolution: 'Enrolled in QHP' } },
    );

    await ingestOf(stack, () => upload(links.upload, filled));

    expect(stack.ingested.at(-1)).toEqual([expect.objectContaining({ outcome: 'ingested' })]);
    const receipt = (await receiptsTo(stack, ORG_A, window)).at(-1)!;
    expect(receipt.body.text).toMatch(/Contact Date: .*formula/i);
    expect(receipt.body.text).toContain(
      'ref_aaaaaaaaaaaaaaaaaaaaaaaaaa, Referral ID: this referral is not in this report',
    );
    // The earlier outcome of r1 stands: a refused row replaces nothing.
    expect((await stores().referrals.get(r1))!.outcome).toMatchObject({ contactDate });
  });
});
