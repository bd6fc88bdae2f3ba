import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { ReportBuildRequested } from '../../events/catalog';
import type { LocalStack } from '../../infra/local/stack';
import { LOCAL_CREDENTIALS, REPORTS_BUCKET } from '../../infra/local/stack';
import { sentEmails, startTestStack } from './support/local-stack';
import { FANOUT_SEND_DATE, FANOUT_WINDOW, fanoutOrganizationId, seedReportingWindow } from './support/report-fanout';

/*
 * The report send fanned out on the local stack: the job plans one `Report Build Requested` per
 * organization, the local bus delivers each to report-send, and every report is stored and emailed
 * once. 40 organizations here, always on; 500 × 100 rows is `reportSendFanout` in `npm run bench`
 * (test/bench/measure-report-fanout.ts), with the same checks.
 */
const ORGANIZATIONS = 40;
const ROWS = 10;

let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack({ seedDemoDirectory: false, clock: () => new Date('2017-11-22T13:00:00Z') });
  await seedReportingWindow(stack, ORGANIZATIONS, ROWS);
}, 120_000);
afterAll(() => stack.stop());

async function storedReports(): Promise<string[]> {
  const s3 = new S3Client({
    endpoint: stack.s3Url,
    region: stack.env.AWS_REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
  });
  const out = await s3.send(new ListObjectsV2Command({ Bucket: REPORTS_BUCKET, Prefix: 'reports/' }));
  return (out.Contents ?? []).map((o) => o.Key!).sort();
}

const reportEmailsTo = async () =>
  (await sentEmails(stack)).filter((e) => e.subject.startsWith('PAL report for')).map((e) => e.destination.to[0]!);

describe(`the report-send job for ${ORGANIZATIONS} organizations × ${ROWS} referrals`, () => {
  const everyOrganization = Array.from({ length: ORGANIZATIONS }, (_, i) => fanoutOrganizationId(i));

  it('plans one unit per organization, and each is built, stored and emailed once, even delivered twice at once', async () => {
    // EventBridge delivers at least once: every unit is delivered a second time while the first runs.
    const duplicated = new Set<string>();
    stack.bus.addRule({
      name: 'deliver-twice',
      detailTypes: [ReportBuildRequested.detailType],
      target: async (event) => {
        if (duplicated.has(event.id)) return;
        duplicated.add(event.id);
        stack.bus.redeliver(event);
      },
    });

    const run = await stack.sendReports(FANOUT_SEND_DATE);

    expect(run.requested.map((u) => u.organizationId).sort()).toEqual(everyOrganization);
    const sent = run.built.filter((b) => b.outcome === 'sent');
    expect(sent.map((b) => b.reportId).sort()).toEqual(everyOrganization.map((o) => `${FANOUT_WINDOW}.${o}`));
    expect(sent.every((b) => b.outcome === 'sent' && b.referralCount === ROWS)).toBe(true);
    // The second deliveries found the report sent, or its claim held (retried; if retries ran out, dead-lettered).
    expect(run.built.filter((b) => b.outcome !== 'sent').every((b) => b.outcome === 'already-sent')).toBe(true);
    expect(stack.bus.deadLetters.filter((d) => d.errorName !== 'RetryLaterError')).toEqual([]);
    expect(await storedReports()).toEqual(everyOrganization.map((o) => `reports/${FANOUT_WINDOW}/${o}.xlsx`));
    expect((await reportEmailsTo()).sort()).toEqual(everyOrganization.map((o) => `leads@${o}.example.org`));
  }, 120_000);

  it('run again, plans nothing and emails nobody', async () => {
    const before = (await reportEmailsTo()).length;

    const again = await stack.sendReports(FANOUT_SEND_DATE);

    expect(again.requested).toEqual([]);
    expect(again.built).toEqual([]);
    expect(again.alreadySent).toHaveLength(ORGANIZATIONS);
    expect((await reportEmailsTo()).length).toBe(before);
  }, 60_000);
});
