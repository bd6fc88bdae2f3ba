import { ReportBuildRequested } from '../../../events/report-events';
import { RetryLaterError } from '../../../shared/domain/errors';
import type { IsoDate } from '../../../shared/domain/minnesota-time';
import type { Organization } from '../../../shared/domain/organization';
import { planReportSends } from '../../../shared/use-cases/plan-report-sends';
import { sendReport } from '../../../shared/use-cases/send-reports';
import { LEAD, ORG, REPORT, WINDOW, reportWorld } from '../../support/report-world';

/*
 * The report send, fanned out: the daily job only plans (one `Report Build Requested` per report),
 * and each unit is built by its own invocation under the claim on its report. On in-memory ports;
 * the same flow through the local bus and the stand-ins is in test/integration/reports.test.ts.
 */
const QUIET = 'quiet-prairie-brokers';

/** The world's directory, plus an organization that received no referral in the window. */
async function worldWithAQuietOrganization() {
  const world = reportWorld();
  const quiet = {
    ...(await world.deps.directory.get(ORG))!,
    organizationId: QUIET,
    leadEmail: 'leads@quiet.example.org',
  };
  await world.deps.directory.put(quiet as Organization);
  return world;
}

const buildRequests = (world: ReturnType<typeof reportWorld>) => world.events.dataOf(ReportBuildRequested.detailType);

describe('the report-send job (plan)', () => {
  it('emits one valid Report Build Requested per organization with referrals in the window, and sends nothing itself', async () => {
    const world = await worldWithAQuietOrganization();

    const plan = await planReportSends(world.deps, '2017-11-22' as IsoDate);

    expect(plan.windows).toEqual([WINDOW]);
    expect(plan.requested).toEqual([{ reportId: REPORT, windowId: WINDOW, organizationId: ORG }]);
    expect(world.events.published.map((e) => ReportBuildRequested.detailSchema.parse(e.detail).data)).toEqual([
      { reportId: REPORT, windowId: WINDOW, organizationId: ORG },
    ]);
    expect(world.emails).toEqual([]);
    expect(await world.reports.get(REPORT)).toBeUndefined();
  });

  it('plans nothing on a day no window is sent', async () => {
    const world = reportWorld();
    const plan = await planReportSends(world.deps, '2017-11-23' as IsoDate);
    expect(plan).toEqual({ date: '2017-11-23', windows: [], requested: [], alreadySent: [] });
    expect(world.events.published).toEqual([]);
  });
});

describe('one unit (Report Build Requested)', () => {
  it('builds, stores and emails that report once', async () => {
    const world = reportWorld();
    const [unit] = (await planReportSends(world.deps, '2017-11-22' as IsoDate)).requested;

    const outcome = await sendReport(world.deps, unit!);

    expect(outcome).toEqual({ outcome: 'sent', reportId: REPORT, referralCount: 4 });
    expect(world.files.objects.has((await world.reports.get(REPORT))!.fileKey)).toBe(true);
    expect(world.emails.map((e) => e.to)).toEqual([[LEAD]]);
    expect(world.events.dataOf('Report Sent')).toHaveLength(1);
  });

  it('delivered again, sends nothing (the claim on the report)', async () => {
    const world = reportWorld();
    const [unit] = (await planReportSends(world.deps, '2017-11-22' as IsoDate)).requested;
    await sendReport(world.deps, unit!);

    const again = await sendReport(world.deps, unit!);

    expect(again).toEqual({ outcome: 'already-sent', reportId: REPORT });
    expect(world.emails).toHaveLength(1);
  });

  it('while another delivery holds the claim on its email, asks to be retried and sends nothing', async () => {
    const world = reportWorld();
    const [unit] = (await planReportSends(world.deps, '2017-11-22' as IsoDate)).requested;
    const claimed: typeof world.reports = Object.create(world.reports);
    claimed.claimEmail = async () => false;
    world.deps = { ...world.deps, reports: claimed };

    await expect(sendReport(world.deps, unit!)).rejects.toThrow(RetryLaterError);
    expect(world.emails).toEqual([]);
  });

  it('for an organization no longer in the directory, is dropped (no retry could build it)', async () => {
    const world = reportWorld();
    expect(await sendReport(world.deps, { windowId: WINDOW, organizationId: 'gone-org' })).toEqual({
      outcome: 'gone',
      reportId: `${WINDOW}.gone-org`,
    });
    expect(world.emails).toEqual([]);
  });
});

describe('a re-run of the job for the same day', () => {
  it('skips the reports already emailed: no unit, no email', async () => {
    const world = reportWorld();
    await world.sendReport();
    const eventsBefore = buildRequests(world).length;

    const rerun = await planReportSends(world.deps, '2017-11-22' as IsoDate);

    expect(rerun.requested).toEqual([]);
    expect(rerun.alreadySent).toEqual([REPORT]);
    expect(buildRequests(world)).toHaveLength(eventsBefore);
    expect(world.emails).toHaveLength(1);
  });

  it('while a unit is still unbuilt, plans it again, and building both sends once', async () => {
    const world = reportWorld();
    const first = await planReportSends(world.deps, '2017-11-22' as IsoDate);
    const second = await planReportSends(world.deps, '2017-11-22' as IsoDate);
    expect(second.requested).toEqual(first.requested);

    const outcomes = [];
    for (const unit of [...first.requested, ...second.requested]) outcomes.push(await sendReport(world.deps, unit));

    expect(outcomes.map((o) => o.outcome)).toEqual(['sent', 'already-sent']);
    expect(world.emails).toHaveLength(1);
  });
});
