import type { LocalStack } from '../../infra/local/stack';
import type { IsoDate } from '../../shared/domain/minnesota-time';
import { addDays } from '../../shared/domain/minnesota-time';
import { storesOf } from './support/directory';
import { startTestStack } from './support/local-stack';
import { emailsTo, ingestOf, ORG_A, receiptsTo, reportEmail, windowSender } from './support/report-windows';
import { download, fillReport, linksOf, upload } from './support/reports';

/*
 * The due-date job on the stand-ins: it reminds, marks overdue and counts overdue reports; a late
 * sheet is still accepted. Each test sends the report of its own OE5 window, so none depends on
 * another; the job sees every open report, so each test looks at its own report (and at the change
 * in the overdue count, not its total).
 */
let stack: LocalStack;
let now = new Date('2017-11-16T23:00:00Z');
const sentWindow = windowSender({ stack: () => stack, setNow: (d) => (now = d) });

beforeAll(async () => {
  stack = await startTestStack({ clock: () => now });
}, 60_000);
afterAll(() => stack.stop());

const mine = (reportIds: readonly string[], reportId: string) => reportIds.filter((id) => id === reportId);

it('reminds two Minnesota business days before the due date, once (Dec 14–27 window: due Wed Jan 10 2018)', async () => {
  const { reportA } = await sentWindow('2017-12-14' as IsoDate, { a: [3] });

  const friday = await stack.checkDueReports('2018-01-05');
  const monday = await stack.checkDueReports('2018-01-08');
  const tuesday = await stack.checkDueReports('2018-01-09');

  expect(mine(friday.reminded, reportA)).toEqual([]);
  expect(mine(monday.reminded, reportA)).toEqual([reportA]);
  expect(mine(tuesday.reminded, reportA)).toEqual([]);
  const reminders = await emailsTo(stack, ORG_A, /^Reminder: PAL report due 2018-01-10$/);
  expect(reminders).toHaveLength(1);
  expect(reminders[0]!.body.text).toContain('Referrals still without an outcome: 1.');
});

it('marks it overdue the day after the due date, once, publishes Report Overdue and counts it (due Wed Dec 27 2017)', async () => {
  const { reportA, window } = await sentWindow('2017-11-30' as IsoDate, { a: [3] });

  const dueDay = await stack.checkDueReports('2017-12-27');
  const dayAfter = await stack.checkDueReports('2017-12-28');
  const later = await stack.checkDueReports('2017-12-29');

  expect(mine(dueDay.markedOverdue, reportA)).toEqual([]);
  expect(mine(dayAfter.markedOverdue, reportA)).toEqual([reportA]);
  expect(mine(later.markedOverdue, reportA)).toEqual([]);
  // Only this window's reports fall due on Dec 27: the count rises by this one report, then holds.
  expect(dayAfter.overdue - dueDay.overdue).toBe(1);
  expect(later.overdue).toBe(dayAfter.overdue);
  expect(await storesOf(stack).reports.get(reportA)).toMatchObject({ overdueSince: '2017-12-28' });
  expect(
    await emailsTo(stack, ORG_A, new RegExp(`^Overdue: PAL report for ${window.start} to ${window.end}$`)),
  ).toHaveLength(1);
  const overdueEvents = stack.bus.published
    .filter((e) => e['detail-type'] === 'Report Overdue')
    .map((e) => (e.detail as { data: { reportId: string } }).data.reportId);
  expect(mine(overdueEvents, reportA)).toEqual([reportA]);
});

it('still accepts a late sheet, which clears the overdue state (Dec 28–Jan 10 window: due Jan 24 2018)', async () => {
  const { reportA, referralsA, window } = await sentWindow('2017-12-28' as IsoDate, { a: [3] });
  await stack.checkDueReports('2018-01-25');
  expect(await storesOf(stack).reports.get(reportA)).toMatchObject({ overdueSince: '2018-01-25' });
  now = new Date('2018-01-29T15:00:00Z');
  const links = linksOf(await reportEmail(stack, ORG_A, window));
  const filled = await fillReport(await download(links.download), {
    [referralsA[0]!]: {
      contactMade: 'Y',
      contactDate: addDays(window.start, 5),
      resolution: 'Eligible for QHP no enrollment',
    },
  });
  const overdueBefore = (await stack.checkDueReports('2018-01-29')).overdue;

  await ingestOf(stack, () => upload(links.upload, filled));

  expect(stack.ingested.at(-1)).toEqual([expect.objectContaining({ outcome: 'ingested', status: 'complete' })]);
  const report = await storesOf(stack).reports.get(reportA);
  expect(report?.status).toBe('complete');
  expect(report?.overdueSince).toBeUndefined();
  expect((await stack.checkDueReports('2018-01-29')).overdue).toBe(overdueBefore - 1);
  const [receipt] = await receiptsTo(stack, ORG_A, window);
  expect(receipt!.subject).toMatch(/^PAL report complete/);
  expect(receipt!.body.text).toContain('It arrived after the due date');
});
