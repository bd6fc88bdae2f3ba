/**
 * The report send fanned out, on the local stack, in its own process:
 *   tsx test/bench/measure-report-fanout.ts [organizations=500] [rows=100] [fanout|one-invocation]
 * Prints one JSON line: { organizations, rows, mode, seconds, peakRssMb, reportsStored, reportEmails }.
 *
 * Method. The whole system starts in this process, in memory. `organizations` navigators are loaded,
 * each with `rows` referrals routed to it in OE5's first window, written straight to the table (the
 * send is measured, not intake). `fanout`: one run of the daily job for its send date; the plan
 * publishes one `Report Build Requested` per organization and the in-process bus delivers each to
 * report-send, which builds, stores and emails that report. `one-invocation`, the peer: the same
 * reports built one after another in one call, as the job did before it fanned out (the plan, then
 * each unit awaited in turn). `seconds` runs from the job's start to the last report emailed. Either
 * fails unless every report is stored and emailed exactly once. The local bus delivers all units at
 * once (on AWS, report-send's reserved concurrency bounds them, each in its own process), so the
 * fan-out's peakRssMb is every build at once in one process: more than any one builder needs.
 */
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { LOCAL_CREDENTIALS, REPORTS_BUCKET, startLocalStack } from '../../infra/local/stack';
import { buildReportDeps } from '../../shared/wiring/reports';
import type { IsoDate } from '../../shared/domain/minnesota-time';
import { planReportSends } from '../../shared/use-cases/plan-report-sends';
import { sendReport } from '../../shared/use-cases/send-reports';
import { sentEmails } from '../integration/support/local-stack';
import { FANOUT_SEND_DATE, seedReportingWindow } from '../integration/support/report-fanout';

async function countObjects(s3: S3Client, prefix: string): Promise<number> {
  let count = 0;
  let token: string | undefined;
  do {
    const out = await s3.send(
      new ListObjectsV2Command({ Bucket: REPORTS_BUCKET, Prefix: prefix, ContinuationToken: token }),
    );
    count += out.KeyCount ?? 0;
    token = out.NextContinuationToken;
  } while (token);
  return count;
}

async function main(): Promise<void> {
  const organizations = Number(process.argv[2] ?? 500);
  const rows = Number(process.argv[3] ?? 100);
  const mode = process.argv[4] === 'one-invocation' ? 'one-invocation' : 'fanout';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  const stack = await startLocalStack({
    apiPort: 0,
    sesPort: 0,
    retry: { maxAttempts: 8, maxEventAgeMs: 30 * 60 * 1000, baseDelayMs: 200, maxDelayMs: 5000 },
    sweepEveryMs: 0,
    dailyJobs: false,
    seedDemoDirectory: false,
    clock: () => new Date('2017-11-22T13:00:00Z'),
  });
  try {
    await seedReportingWindow(stack, organizations, rows);
    const started = process.hrtime.bigint();
    const run = mode === 'fanout' ? await stack.sendReports(FANOUT_SEND_DATE) : await oneInvocation(stack);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const s3 = new S3Client({
      endpoint: stack.s3Url,
      region: stack.env.AWS_REGION,
      credentials: LOCAL_CREDENTIALS,
      forcePathStyle: true,
    });
    const reportsStored = await countObjects(s3, 'reports/');
    const emails = (await sentEmails(stack)).filter((e) => e.subject.startsWith('PAL report for'));
    const recipients = new Set(emails.map((e) => e.destination.to[0]));
    const sent = run.built.filter((b) => b.outcome === 'sent' && b.referralCount === rows).length;
    if (
      run.requested.length !== organizations ||
      sent !== organizations ||
      reportsStored !== organizations ||
      emails.length !== organizations ||
      recipients.size !== organizations ||
      stack.bus.deadLetters.length > 0
    ) {
      throw new Error(
        `fan-out incomplete: ${run.requested.length} planned, ${sent} sent, ${reportsStored} stored, ` +
          `${emails.length} emails to ${recipients.size}, ${stack.bus.deadLetters.length} dead letters`,
      );
    }
    console.log(
      JSON.stringify({
        organizations,
        rows,
        mode,
        seconds: Math.round(seconds * 1000) / 1000,
        peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
        reportsStored,
        reportEmails: emails.length,
      }),
    );
  } finally {
    await stack.stop();
  }
}

/** The peer: every report of the day built in turn by one call, as before the fan-out. */
async function oneInvocation(stack: Awaited<ReturnType<typeof startLocalStack>>) {
  const clock = () => new Date('2017-11-22T13:00:00Z');
  const deps = { ...buildReportDeps(stack.config.reports, 'report-send', LOCAL_CREDENTIALS), clock };
  // The plan without its events: here the same call builds every unit itself.
  const plan = await planReportSends(
    { ...deps, events: { publish: async () => undefined } },
    FANOUT_SEND_DATE as IsoDate,
  );
  const built = [];
  for (const unit of plan.requested) built.push(await sendReport(deps, unit));
  return { ...plan, built };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
