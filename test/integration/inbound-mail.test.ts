import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { LocalStack } from '../../infra/local/stack';
import { LOCAL_CREDENTIALS, REPORTS_BUCKET } from '../../infra/local/stack';
import { documentClient, s3Client } from '../../shared/adapters/aws-clients';
import { DynamoReferralStore } from '../../shared/adapters/dynamo-referral-store.adapter';
import type { SesStamp } from './support/inbound-mail';
import { asSesStores, replyWithSheet } from './support/inbound-mail';
import { clearEmails, postJson, sentEmails, settle, startTestStack } from './support/local-stack';
import { referralBody } from './support/referrals';
import { download, fillReport, linksOf } from './support/reports';

/*
 * Inbound mail as SES receiving stores it, on the stand-ins with sender authentication on (as on
 * AWS): SES's trace block is put on top of each message the way SES writes it. Only an
 * organization's lead contact proven by SES's own verdicts gets a sheet read; anyone else is
 * refused before any attachment is parsed, counted in the InboundMailRefused metric, and never
 * written to (the From address could be forged).
 */
let stack: LocalStack;
let now = new Date('2017-11-16T23:00:00Z');
let referrals: DynamoReferralStore;
const ORG = 'southern-prairie-navigators';
const LEAD = `leads@${ORG}.example.org`;
const ORG_DOMAIN = `${ORG}.example.org`;
const referralIds: string[] = [];
let sheet: Buffer;

beforeAll(async () => {
  stack = await startTestStack({ clock: () => now, env: { REQUIRE_SENDER_AUTHENTICATION: 'true' } });
  referrals = new DynamoReferralStore(
    documentClient(stack.config.reports, LOCAL_CREDENTIALS),
    stack.config.reports.REFERRALS_TABLE,
  );
  for (const day of ['03', '14']) {
    const res = await postJson(
      `${stack.apiUrl}/referrals`,
      referralBody({
        referredAt: `2017-11-${day}T10:00:00-06:00`,
        consumer: { county: 'Olmsted', zip: '55901', preferredLanguage: 'kar' },
      }),
    );
    referralIds.push(((await res.json()) as { referralId: string }).referralId);
  }
  await settle(stack);
  now = new Date('2017-11-22T13:00:00Z');
  await stack.sendReports('2017-11-22');
  await settle(stack);
  const email = (await sentEmails(stack)).find(
    (e) => e.destination.to.includes(LEAD) && /^PAL report for/.test(e.subject),
  );
  sheet = await download(linksOf(email!).download);
  await clearEmails(stack);
}, 90_000);
afterAll(() => stack.stop());

async function filled(resolution: string): Promise<Buffer> {
  const [a, b] = referralIds as [string, string];
  return fillReport(sheet, {
    [a]: { contactMade: 'Y', contactDate: 43047, resolution },
    [b]: { contactMade: 'N', resolution: 'No longer needs assistance' },
  });
}

let mailCount = 0;
/**
 * Stores one email under inbound/ as SES would and waits (bounded) until mail-intake or ingest has
 * answered for it; returns that answer, the InboundMailRefused EMF lines written meanwhile and the
 * emails sent meanwhile.
 */
async function receive(raw: Buffer) {
  const before = stack.ingested.length;
  const emailsBefore = (await sentEmails(stack)).length;
  const metrics: { reason: string; InboundMailRefused: number }[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    const line = String(chunk);
    if (line.includes('InboundMailRefused')) metrics.push(JSON.parse(line) as (typeof metrics)[number]);
    else write(chunk);
    return true;
  });
  try {
    const s3 = s3Client(stack.config.reports, LOCAL_CREDENTIALS);
    await s3.send(new PutObjectCommand({ Bucket: REPORTS_BUCKET, Key: `inbound/mail-${++mailCount}`, Body: raw }));
    for (let i = 0; i < 200 && stack.ingested.length === before; i++) await new Promise((r) => setTimeout(r, 25));
    // A handler stuck in a parser never lets the bus go idle: the answer (or its absence) is what is asserted.
    if (stack.ingested.length > before) await settle(stack);
  } finally {
    spy.mockRestore();
  }
  return {
    result: stack.ingested.length > before ? stack.ingested.at(-1) : undefined,
    metrics,
    emails: (await sentEmails(stack)).slice(emailsBefore),
  };
}

const provenLead: SesStamp = {
  spf: 'pass',
  envelopeFrom: `bounce@${ORG_DOMAIN}`,
  dkim: [{ result: 'pass', domain: ORG_DOMAIN }],
  dmarc: 'pass',
  fromDomain: ORG_DOMAIN,
};

/** SES's verdicts on mail from the attacker's own servers: SPF and DKIM pass for their domain, DMARC fails for the From's. */
const PASSES_ONLY_FOR_ATTACKER: SesStamp = {
  spf: 'pass',
  envelopeFrom: 'bounce@attacker.example',
  dkim: [{ result: 'pass', domain: 'attacker.example' }],
  dmarc: 'fail',
  fromDomain: ORG_DOMAIN,
};

describe('inbound mail that SES does not prove came from a lead contact', () => {
  it('is refused when the only passing Authentication-Results is one the sender wrote into their own headers', async () => {
    const forged = await replyWithSheet(LEAD, await filled('Assisted with technical issue only'), {
      headers: { 'Authentication-Results': `amazonses.com; spf=pass; dkim=pass header.d=${ORG_DOMAIN}; dmarc=pass` },
    });
    const { result, metrics, emails } = await receive(
      asSesStores(forged, {
        spf: 'fail',
        dkim: [{ result: 'none', domain: 'unknown' }],
        dmarc: 'fail',
        fromDomain: ORG_DOMAIN,
      }),
    );
    expect(result).toEqual([expect.objectContaining({ outcome: 'refused', refusal: 'unauthenticated-sender' })]);
    expect(metrics).toEqual([expect.objectContaining({ InboundMailRefused: 1, reason: 'unauthenticated-sender' })]);
    expect(emails).toEqual([]);
    expect((await referrals.get(referralIds[0]!))!.outcome).toBeUndefined();
  });

  it("is refused when SPF and DKIM pass only for the attacker's own domain (From: the lead address, DMARC fails)", async () => {
    const raw = await replyWithSheet(LEAD, await filled('Assisted with technical issue only'));
    const { result, emails } = await receive(asSesStores(raw, PASSES_ONLY_FOR_ATTACKER));
    expect(result).toEqual([expect.objectContaining({ outcome: 'refused', refusal: 'unauthenticated-sender' })]);
    expect(emails).toEqual([]);
    expect((await referrals.get(referralIds[0]!))!.outcome).toBeUndefined();
  });

  it("with a forged From of the lead address cannot make MNsure mail the organization the attacker's text", async () => {
    // Not a sheet, so ingest would refuse it; the refusal used to echo the attachment's name to the lead contact.
    const raw = await replyWithSheet(LEAD, Buffer.from('not a sheet'), {
      fileName: 'Your PAL access expires today - sign in at http://evil.example to keep it.xlsx',
    });
    const { result, emails } = await receive(asSesStores(raw, PASSES_ONLY_FOR_ATTACKER));
    expect(emails.map((e) => ({ to: e.destination.to, text: e.body.text }))).toEqual([]);
    expect(result).toEqual([expect.objectContaining({ outcome: 'refused', refusal: 'unauthenticated-sender' })]);
  });

  it('from someone who is no lead contact, is refused without a word to anyone, even with a genuine sheet', async () => {
    // A stranger holding the organization's real sheet, naming the file to make MNsure mail their text.
    const raw = await replyWithSheet(
      'someone@elsewhere.example.org',
      await filled('Assisted with technical issue only'),
      {
        fileName: 'Your account is locked - call 612-555-0100 or visit http://evil.example.xlsx',
      },
    );
    const { result, metrics, emails } = await receive(
      asSesStores(raw, {
        ...provenLead,
        envelopeFrom: 'bounce@elsewhere.example.org',
        dkim: [{ result: 'pass', domain: 'elsewhere.example.org' }],
        fromDomain: 'elsewhere.example.org',
      }),
    );
    // Nobody is written to: not the stranger (a forged From would make MNsure mail a third party), nor the organization.
    expect(emails.map((e) => ({ to: e.destination.to, subject: e.subject, text: e.body.text }))).toEqual([]);
    expect(result).toEqual([expect.objectContaining({ outcome: 'refused', refusal: 'unknown-sender' })]);
    expect(metrics).toEqual([expect.objectContaining({ InboundMailRefused: 1, reason: 'unknown-sender' })]);
    expect((await referrals.get(referralIds[0]!))!.outcome).toBeUndefined();
  });

  it("is refused before its MIME is parsed: a stranger's mail that would stall the parser is answered at once", async () => {
    // 1,000 small attachments stall mailparser (measured: it never resolves); the header block alone decides.
    const parts = Array.from(
      { length: 1000 },
      () =>
        '--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n' +
        'Content-Disposition: attachment; filename="a.xlsx"\r\n\r\n' +
        Buffer.alloc(1000).toString('base64').replace(/.{76}/g, '$&\r\n') +
        '\r\n',
    ).join('');
    const raw = Buffer.from(
      'From: someone@elsewhere.example.org\r\nTo: pal-returns@inbound.mnsure.example.org\r\nSubject: hi\r\n' +
        `MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n${parts}--b--\r\n`,
    );
    const { result, emails } = await receive(asSesStores(raw, { dmarc: 'pass', fromDomain: 'elsewhere.example.org' }));
    expect(result).toEqual([expect.objectContaining({ outcome: 'refused', refusal: 'unknown-sender' })]);
    expect(emails).toEqual([]);
  });

  it("is refused on SES's spam or virus verdict FAIL, even from the lead contact with DMARC pass", async () => {
    const raw = await replyWithSheet(LEAD, await filled('Assisted with technical issue only'));
    const spam = await receive(asSesStores(raw, { ...provenLead, spam: 'FAIL' }));
    expect(spam.result).toEqual([expect.objectContaining({ outcome: 'refused', refusal: 'spam-verdict' })]);
    expect(spam.emails).toEqual([]);
    const virus = await receive(asSesStores(raw, { ...provenLead, virus: 'FAIL' }));
    expect(virus.result).toEqual([expect.objectContaining({ outcome: 'refused', refusal: 'virus-verdict' })]);
    expect(virus.metrics).toEqual([expect.objectContaining({ InboundMailRefused: 1, reason: 'virus-verdict' })]);
    expect((await referrals.get(referralIds[0]!))!.outcome).toBeUndefined();
  });
});

describe('an attachment under received/ (only mail-intake may write there)', () => {
  it('is refused by ingest without a reply when its sender is no lead contact (say, replaced since)', async () => {
    const s3 = s3Client(stack.config.reports, LOCAL_CREDENTIALS);
    const before = stack.ingested.length;
    const emailsBefore = (await sentEmails(stack)).length;
    await s3.send(
      new PutObjectCommand({
        Bucket: REPORTS_BUCKET,
        Key: 'received/mail-former/1.xlsx',
        Body: await filled('Assisted with technical issue only'),
        Metadata: { sender: 'former-lead@elsewhere.example.org', 'file-name': 'PAL%20report.xlsx' },
      }),
    );
    for (let i = 0; i < 200 && stack.ingested.length === before; i++) await new Promise((r) => setTimeout(r, 25));
    await settle(stack);
    const emails = (await sentEmails(stack)).slice(emailsBefore);
    expect(emails.map((e) => ({ to: e.destination.to, text: e.body.text }))).toEqual([]);
    expect(stack.ingested.at(-1)).toEqual([expect.objectContaining({ outcome: 'refused', refusal: 'unknown-sender' })]);
    expect((await referrals.get(referralIds[0]!))!.outcome).toBeUndefined();
  });
});

describe('inbound mail SES proves came from the lead contact', () => {
  it('is ingested with DKIM aligned to the From domain (a subdomain signing), DMARC or not', async () => {
    const raw = await replyWithSheet(`Lead Desk <${LEAD}>`, await filled('Assisted with technical issue only'));
    const { result, metrics } = await receive(
      asSesStores(raw, { spf: 'none', dkim: [{ result: 'pass', domain: `mail.${ORG_DOMAIN}` }], dmarc: 'none' }),
    );
    expect(result).toEqual([expect.objectContaining({ outcome: 'ingested', status: 'complete', accepted: 2 })]);
    expect(metrics).toEqual([]);
    expect((await referrals.get(referralIds[0]!))!.outcome).toMatchObject({
      resolution: 'Assisted with technical issue only',
    });
  });

  it('is ingested with DMARC pass, and a refusal it earns goes to that lead contact alone', async () => {
    const later = await receive(
      asSesStores(await replyWithSheet(LEAD, await filled('Contact made appointment scheduled')), provenLead),
    );
    expect(later.result).toEqual([expect.objectContaining({ outcome: 'ingested', status: 'complete' })]);
    expect((await referrals.get(referralIds[0]!))!.outcome).toMatchObject({
      resolution: 'Contact made appointment scheduled',
    });

    // The file name it echoes is reduced to a file name: no link, no markup, at most 80 characters.
    const name = `Report <b>final</b> see http://evil.example/${'x'.repeat(200)}.xlsx`;
    const notOurs = await receive(
      asSesStores(await replyWithSheet(LEAD, Buffer.from('not a sheet'), { fileName: name }), provenLead),
    );
    expect(notOurs.result).toEqual([expect.objectContaining({ outcome: 'refused' })]);
    expect(notOurs.emails.map((e) => e.destination.to)).toEqual([[LEAD]]);
    const text = notOurs.emails[0]!.body.text!;
    expect(text).toContain('We could not accept the file Report _b_final__b_ see http___evil.example_xxx');
    expect(text).not.toMatch(/http:|<b>|x{80}/);
  });
});
