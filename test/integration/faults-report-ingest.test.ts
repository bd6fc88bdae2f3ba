import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { EventBridgeEvent } from 'aws-lambda';
import type { LocalStack } from '../../infra/local/stack';
import { LOCAL_CREDENTIALS, REPORTS_BUCKET } from '../../infra/local/stack';
import { s3Client } from '../../shared/adapters/aws-clients';
import type { Referral } from '../../shared/domain/referral';
import { seedDirectory, storesOf } from './support/directory';
import type { DynamoRequest } from './support/dynamo-fault-proxy';
import { DynamoFaultProxy, isUpdate, keyString, sdkAttempts } from './support/dynamo-fault-proxy';
import type { StoredEmail } from './support/local-stack';
import { clearEmails, postJson, sentEmails, settle, startTestStack } from './support/local-stack';
import { referralBody } from './support/referrals';
import type { Fill } from './support/reports';
import { download, fillReport, linksOf, upload } from './support/reports';
import { SesFaultProxy } from './support/ses-fault-proxy';

/*
 * Report ingest under the faults of at-least-once delivery, on the stand-ins: S3's Object Created
 * notifications delivered twice, two uploads of the same report at once, a crash halfway through a
 * sheet, and a crash after the file was recorded but before the receipt went out.
 *
 * Two proxies make the crashes real: one in front of dynalite answers a chosen write with HTTP 500
 * until the SDK gives up (the write that never happened), one in front of the SES stand-in answers
 * Throttling (SES's sending limit is the one thing that cannot run here).
 *
 * OE5's first window: Nov 1–15 2017, report sent Nov 22, due Nov 29.
 */
let stack: LocalStack;
let now = new Date('2017-11-16T23:00:00Z');
const dynamo = new DynamoFaultProxy();
const ses = new SesFaultProxy();

const ORG = 'twin-cities-health-navigators';
const REPORT = `2017-11-01_2017-11-15.${ORG}`;
const referralIds: string[] = [];
let links: { download: string; upload: string };
let sheet: Buffer;

beforeAll(async () => {
  const [dynamoUrl, sesUrl] = await Promise.all([dynamo.listen(), ses.listen()]);
  stack = await startTestStack({
    clock: () => now,
    seedDemoDirectory: false,
    env: { AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl, AWS_ENDPOINT_URL_SES: sesUrl },
  });
  dynamo.target = stack.dynamoUrl;
  ses.target = stack.sesUrl;
  await seedDirectory(stack);
  for (const day of ['02', '06', '09', '15']) {
    const res = await postJson(
      `${stack.apiUrl}/referrals`,
      referralBody({
        referredAt: `2017-11-${day}T10:00:00-06:00`,
        consumer: { county: 'Hennepin', preferredLanguage: 'hmn' },
      }),
    );
    expect(res.status).toBe(201);
    referralIds.push(((await res.json()) as { referralId: string }).referralId);
  }
  await settle(stack);
  now = new Date('2017-11-22T13:00:00Z');
  expect((await stack.sendReports('2017-11-22')).built).toContainEqual({
    outcome: 'sent',
    reportId: REPORT,
    referralCount: 4,
  });
  const [email] = await emailsTo(/^PAL report for/);
  links = linksOf(email!);
  sheet = await download(links.download);
}, 60_000);
afterAll(async () => {
  await stack.stop();
  await Promise.all([dynamo.close(), ses.close()]);
});
beforeEach(async () => {
  await settle(stack);
  await clearEmails(stack);
  dynamo.clear();
  ses.throttle = () => false;
}, 30_000);

async function emailsTo(subject: RegExp): Promise<StoredEmail[]> {
  return (await sentEmails(stack)).filter(
    (e) => e.destination.to.includes(`leads@${ORG}.example.org`) && subject.test(e.subject),
  );
}
const receipts = () => emailsTo(/^PAL report (in)?complete/);

/** One version of the organization's answers: the same fill for every referral of the report. */
function version(fill: Fill): Promise<Buffer> {
  return fillReport(sheet, Object.fromEntries(referralIds.map((id) => [id, fill])));
}

const keyOf = (e: EventBridgeEvent<string, unknown>) =>
  decodeURIComponent((e.detail as { object: { key: string } }).object.key.replace(/\+/g, ' '));

/**
 * Waits for `count` Object Created events published from index `from` on, calling onEach for each the
 * moment it is seen (while its first delivery is still running).
 */
async function objectEvents(
  from: number,
  count: number,
  onEach: (event: EventBridgeEvent<string, unknown>) => void = () => undefined,
): Promise<EventBridgeEvent<string, unknown>[]> {
  const found: EventBridgeEvent<string, unknown>[] = [];
  for (let scanned = from, waits = 0; found.length < count && waits < 2000; waits++) {
    for (; scanned < stack.bus.published.length; scanned++) {
      const event = stack.bus.published[scanned]!;
      if (event['detail-type'] !== 'Object Created') continue;
      found.push(event);
      onEach(event);
    }
    if (found.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
  }
  expect(found).toHaveLength(count);
  return found;
}

async function storedObject(key: string): Promise<Buffer> {
  const s3 = s3Client(stack.config.reports, LOCAL_CREDENTIALS);
  const out = await s3.send(new GetObjectCommand({ Bucket: REPORTS_BUCKET, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

async function outcomes(): Promise<(Referral['outcome'] | undefined)[]> {
  const { referrals } = storesOf(stack);
  return Promise.all(referralIds.map(async (id) => (await referrals.get(id))?.outcome));
}

describe('S3 notifications delivered twice, and two uploads of the same report at once', () => {
  it('stores the outcomes of the file that sorts last, and counts each distinct file once', async () => {
    const early: Fill = { contactMade: 'N', resolution: 'Unable to contact', comments: 'version one' };
    const late: Fill = {
      contactMade: 'Y',
      contactDate: '2017-11-16',
      resolution: 'Enrolled in QHP',
      comments: 'version two',
    };
    const files = { one: await version(early), two: await version(late) };
    const published = stack.bus.published.length;
    const ingestedBefore = stack.ingested.length;

    // Act: both uploads at once; each S3 notification delivered a second time the moment it appears.
    const [a, b] = await Promise.all([upload(links.upload, files.one), upload(links.upload, files.two)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const events = await objectEvents(published, 2, (event) => stack.bus.redeliver(event));
    await settle(stack);

    // The file that sorts last by (event time, key) — the order ingest keeps — and which version it holds.
    const order = (e: EventBridgeEvent<string, unknown>) => `${new Date(Date.parse(e.time)).toISOString()}#${keyOf(e)}`;
    const last = [...events].sort((x, y) => (order(x) < order(y) ? -1 : 1)).at(-1)!;
    const lastBytes = await storedObject(keyOf(last));
    const winner = lastBytes.equals(files.two) ? late : lastBytes.equals(files.one) ? early : undefined;
    expect(winner).toBeDefined();

    // Assess: every referral holds the last file's outcome.
    for (const outcome of await outcomes()) {
      expect(outcome).toMatchObject({
        contactMade: winner!.contactMade === 'Y',
        resolution: winner!.resolution,
        comments: winner!.comments,
        fileKey: keyOf(last),
      });
    }
    expect(await storesOf(stack).reports.get(REPORT)).toMatchObject({ status: 'complete', missingReferralIds: [] });

    // Each distinct file receipted once and ingested once: the second delivery of each is a duplicate.
    expect((await receipts()).map((e) => e.subject)).toHaveLength(2);
    const results = stack.ingested.slice(ingestedBefore).flat();
    expect(results.map((r) => r.outcome).sort()).toEqual(['duplicate', 'duplicate', 'ingested', 'ingested']);
    const accepted = stack.bus.published.slice(published).filter((e) => e['detail-type'] === 'Report Accepted');
    expect(accepted).toHaveLength(2);
  }, 30_000);
});

describe('a crash halfway through ingesting a sheet, then the retry', () => {
  it('completes: every outcome stored, the report complete, one receipt counting each row once', async () => {
    const fill: Fill = { contactMade: 'Y', contactDate: '2017-11-20', resolution: 'Eligible for MA', comments: 'v3' };
    const file = await version(fill);
    const attempts = await sdkAttempts(stack);
    const third = referralIds[2]!; // the sheet lists the referrals in this order
    const writesOutcome = (id: string) => (r: DynamoRequest) =>
      isUpdate(r, 'SET outcome = :o') && keyString(r, 'referralId') === id;
    const seenBefore = dynamo.seen.length;
    // The third row's outcome write fails on every SDK attempt: ingest throws there, after two rows.
    dynamo.failMatching(writesOutcome(third), attempts);
    const published = stack.bus.published.length;
    const ingestedBefore = stack.ingested.length;

    // Act: upload; the bus delivers the S3 event, ingest dies at row 3, the bus delivers it again.
    expect((await upload(links.upload, file)).status).toBe(200);
    const [event] = await objectEvents(published, 1);
    await settle(stack);

    // Assess: the crash happened where intended, and the retry ran the sheet again.
    expect(dynamo.failed).toBe(attempts);
    const seen = dynamo.seen.slice(seenBefore);
    expect(referralIds.map((id) => seen.filter(writesOutcome(id)).length)).toEqual([2, 2, attempts + 1, 1]);

    for (const outcome of await outcomes()) {
      expect(outcome).toMatchObject({ contactMade: true, contactDate: '2017-11-20', resolution: 'Eligible for MA' });
      expect(outcome?.fileKey).toBe(keyOf(event!));
    }
    expect(await storesOf(stack).reports.get(REPORT)).toMatchObject({ status: 'complete', missingReferralIds: [] });
    const results = stack.ingested.slice(ingestedBefore).flat();
    expect(results).toEqual([expect.objectContaining({ outcome: 'ingested', accepted: 4, problems: 0 })]);
    const accepted = stack.bus.published.slice(published).filter((e) => e['detail-type'] === 'Report Accepted');
    expect(accepted.map((e) => (e.detail as { data: { acceptedRows: number } }).data.acceptedRows)).toEqual([4]);
    const sent = await receipts();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body.text).toContain('Rows accepted: 4');
  }, 30_000);
});

describe('a crash after the file was recorded as ingested, before its receipt went out', () => {
  it('still tells the organization what was accepted, once', async () => {
    const fill: Fill = { contactMade: 'N', resolution: 'No longer needs assistance', comments: 'v4' };
    const file = await version(fill);
    // SES refuses the receipt on every attempt the report mailer makes (6), as a throttled account would.
    let refusals = 6;
    ses.throttle = () => refusals-- > 0;
    const published = stack.bus.published.length;
    const ingestedBefore = stack.ingested.length;

    expect((await upload(links.upload, file)).status).toBe(200);
    await objectEvents(published, 1);
    await settle(stack);

    // The outcomes are stored, and the receipt was refused as intended...
    for (const outcome of await outcomes()) {
      expect(outcome).toMatchObject({ contactMade: false, resolution: 'No longer needs assistance' });
    }
    expect(ses.throttled).toBeGreaterThanOrEqual(6);
    // ...and the retry of the event must still send it: the organization is owed one receipt.
    expect((await receipts()).map((e) => e.subject)).toHaveLength(1);
    expect(
      stack.ingested
        .slice(ingestedBefore)
        .flat()
        .map((r) => r.outcome),
    ).toEqual(['ingested']);
  }, 30_000);
});

describe('a sheet with a Contact Date no date can be (one day past 9999-12-31, typed as its serial)', () => {
  it('is ingested with that row refused and the other rows stored, and a receipt naming the row', async () => {
    const [first, ...others] = referralIds as [string, ...string[]];
    const good: Fill = { contactMade: 'Y', contactDate: '2017-11-21', resolution: 'Enrolled in QHP', comments: 'v5' };
    const file = await fillReport(sheet, {
      [first]: { contactMade: 'Y', contactDate: 2_958_466, resolution: 'Enrolled in QHP' },
      ...Object.fromEntries(others.map((id) => [id, good])),
    });
    const published = stack.bus.published.length;
    const ingestedBefore = stack.ingested.length;
    const deadBefore = stack.bus.deadLetters.length;

    expect((await upload(links.upload, file)).status).toBe(200);
    await objectEvents(published, 1);
    await settle(stack);

    expect(stack.bus.deadLetters.slice(deadBefore).map((d) => `${d.rule}: ${d.errorName}`)).toEqual([]);
    expect(stack.ingested.slice(ingestedBefore).flat()).toEqual([
      expect.objectContaining({ outcome: 'ingested', accepted: 3, problems: 1 }),
    ]);
    const stored = await outcomes();
    expect(stored.slice(1).map((o) => o?.comments)).toEqual(['v5', 'v5', 'v5']);
    const [receipt] = await receipts();
    expect(receipt?.body.text).toMatch(new RegExp(`Row 2, referral ${first}, Contact Date: `));
  }, 30_000);
});

describe('the report record, written by files processed out of order', () => {
  it('keeps the latest arrival and never turns complete back into incomplete', async () => {
    const { reports } = storesOf(stack);
    const r = await reports.get(REPORT);
    // After every file the earlier tests uploaded (their order is S3's event time, this machine's clock).
    const newer = new Date(Date.now() + 2 * 3600_000).toISOString();
    const older = new Date(Date.now() + 3600_000).toISOString();
    await reports.recordReturn(REPORT, {
      status: 'complete',
      receivedAt: newer,
      fileOrder: `${newer}#returned/new`,
      missingReferralIds: [],
      problemCount: 0,
    });

    await reports.recordReturn(REPORT, {
      status: 'incomplete',
      receivedAt: older,
      fileOrder: `${older}#returned/old`,
      missingReferralIds: referralIds.slice(0, 2),
      problemCount: 3,
    });

    expect(r).toBeDefined();
    expect(await reports.get(REPORT)).toMatchObject({
      status: 'complete',
      missingReferralIds: [],
      lastReceivedAt: newer,
      problemCount: 0,
    });
  });
});
