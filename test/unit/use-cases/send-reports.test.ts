import type { IsoDate } from '../../../shared/domain/minnesota-time';
import type { Organization } from '../../../shared/domain/organization';
import { NotFoundError, RetryLaterError } from '../../../shared/domain/errors';
import { planReportSends } from '../../../shared/use-cases/plan-report-sends';
import { resendReport, sendReport } from '../../../shared/use-cases/send-reports';
import type { ReportWorld } from '../../support/report-world';
import { LEAD, ORG, REPORT, reportWorld, WINDOW } from '../../support/report-world';

/*
 * The report send on in-memory ports: the job plans (plan-report-sends.ts), each unit is built by
 * sendReport (send-reports.ts); one report per organization with referrals in the window, emailed
 * once however often the job runs, a unit is delivered, or a build dies.
 * Written against its public behaviour (emails, stored reports and sheets, events), not its inner
 * steps. The DynamoDB claim and S3 links behind it are tested on the stand-ins (reports.test.ts).
 */

const SEND_DAY = '2017-11-22' as IsoDate;
const MINUTE = 60 * 1000;

/** One run of the job, then each unit it planned built in turn (the bus's deliveries, in-process). */
async function sendReports(world: ReportWorld, date: IsoDate) {
  const plan = await planReportSends(world.deps, date);
  const built = [];
  for (const unit of plan.requested) built.push(await sendReport(world.deps, unit));
  return { ...plan, built };
}

async function withQuietOrganization() {
  const world = reportWorld();
  const quiet = {
    ...(await world.deps.directory.get(ORG))!,
    organizationId: 'quiet-navigators',
    leadEmail: 'leads@quiet.example.org',
  };
  await world.deps.directory.put(quiet as Organization);
  return world;
}

describe('the report-send job on a window’s send date', () => {
  it('emails each organization with referrals in the window its report, stores the sheet and publishes Report Sent', async () => {
    const world = await withQuietOrganization();

    const result = await sendReports(world, SEND_DAY);

    expect(result).toEqual({
      date: SEND_DAY,
      windows: [WINDOW],
      requested: [{ reportId: REPORT, windowId: WINDOW, organizationId: ORG }],
      alreadySent: [],
      built: [{ outcome: 'sent', reportId: REPORT, referralCount: 4 }],
    });
    expect(world.emails.map((e) => e.to)).toEqual([[LEAD]]);
    expect(world.emails[0]!.subject).toBe('PAL report for 2017-11-01 to 2017-11-15: due 2017-11-29');
    const report = world.reports.peek(REPORT)!;
    expect(report).toMatchObject({
      status: 'sent',
      referralCount: 4,
      referralIds: world.referralIds,
      dueDate: '2017-11-29',
    });
    expect(report.emailedAt).toBeDefined();
    expect(world.files.objects.get(report.fileKey)!.body.subarray(0, 2).toString()).toBe('PK');
    expect(world.events.dataOf('Report Sent')).toEqual([
      { reportId: REPORT, organizationId: ORG, windowId: WINDOW, referralCount: 4, dueDate: '2017-11-29' },
    ]);
  });

  it('does nothing on a day no window is sent', async () => {
    const world = reportWorld();

    const result = await sendReports(world, '2017-11-21' as IsoDate);

    expect(result).toEqual({ date: '2017-11-21', windows: [], requested: [], alreadySent: [], built: [] });
    expect(world.emails).toEqual([]);
    expect(world.reports.peek(REPORT)).toBeUndefined();
  });

  it('run again the same day, sends nothing twice and says which reports were already sent', async () => {
    const world = reportWorld();
    await sendReports(world, SEND_DAY);

    const again = await sendReports(world, SEND_DAY);

    expect(again).toMatchObject({ requested: [], built: [], alreadySent: [REPORT] });
    expect(world.emails).toHaveLength(1);
    expect(world.events.dataOf('Report Sent')).toHaveLength(1);
  });
});

describe('two runs, or a run that died', () => {
  it('two runs at once: while one is emailing the report, the other sends nothing and asks to be retried', async () => {
    const world = reportWorld();
    let answer!: () => void;
    const sesAnswering = new Promise<void>((resolve) => (answer = resolve));
    let sesCalled!: () => void;
    const called = new Promise<void>((resolve) => (sesCalled = resolve));
    const send = world.mailer.send.bind(world.mailer);
    world.mailer.send = async (email) => {
      sesCalled();
      await sesAnswering;
      return send(email);
    };

    const first = sendReports(world, SEND_DAY);
    await called;
    // The second run plans the unit again (not yet emailed); its build finds the live claim.
    const second = sendReports(world, SEND_DAY);
    await expect(second).rejects.toThrow(RetryLaterError);
    answer();

    await expect(first).resolves.toMatchObject({ built: [{ outcome: 'sent', reportId: REPORT, referralCount: 4 }] });
    expect(world.emails).toHaveLength(1);
    // Retried once the first has sent: nothing more.
    await expect(sendReport(world.deps, { windowId: WINDOW, organizationId: ORG })).resolves.toEqual({
      outcome: 'already-sent',
      reportId: REPORT,
    });
    expect(world.emails).toHaveLength(1);
  });

  it('a build that failed emailing leaves its claim: retries within 15 minutes send nothing, a later one sends it once', async () => {
    const world = reportWorld();
    world.mailer.fault = () => new Error('SES is unavailable');
    await expect(sendReports(world, SEND_DAY)).rejects.toThrow('SES is unavailable');
    world.mailer.fault = () => undefined;
    const failedAt = world.now.getTime();

    await expect(sendReports(world, SEND_DAY)).rejects.toThrow(RetryLaterError);
    expect(world.emails).toHaveLength(0);
    world.now = new Date(failedAt + 16 * MINUTE);
    await sendReports(world, SEND_DAY);
    await sendReports(world, SEND_DAY);

    expect(world.emails).toHaveLength(1);
    expect(world.reports.peek(REPORT)!.emailedAt).toBe(world.now.toISOString());
  });
});

describe('ops’ resend of a report', () => {
  it('emails the report again, after its links expired, with links that work 14 days from the resend', async () => {
    const world = reportWorld();
    await sendReports(world, SEND_DAY);
    world.now = new Date('2017-12-20T15:00:00Z');

    const result = await resendReport(world.deps, REPORT);

    expect(result).toEqual({ reportId: REPORT, referralCount: 4 });
    expect(world.emails.map((e) => e.to)).toEqual([[LEAD], [LEAD]]);
    expect(world.emails[0]!.text).toContain('These links work until Wednesday, December 13, 2017.');
    expect(world.emails[1]!.text).toContain('These links work until Wednesday, January 3, 2018.');
  });

  it('names a report that does not exist', async () => {
    const world = reportWorld();
    await expect(resendReport(world.deps, `${WINDOW}.no-such-org`)).rejects.toThrow(
      new NotFoundError(`Report ${WINDOW}.no-such-org does not exist`),
    );
  });
});
