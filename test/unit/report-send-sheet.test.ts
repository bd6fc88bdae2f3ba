import * as XLSX from 'xlsx';
import { resendReport } from '../../shared/use-cases/send-reports';
import { fillReport } from '../integration/support/reports';
import { REPORT, reportWorld } from '../support/report-world';

/*
 * What the send job puts in the sheet: the referral list fixed on the report, and no upload link. A
 * sheet is forwarded, filed and attached to tickets; a link with its token would grant upload rights
 * to whoever holds a copy. The link stays in the report email, to the designated contact only.
 */
describe('the sheet the send job stores', () => {
  it('carries no upload link or token; the report email does', async () => {
    const world = reportWorld();
    const { sheet } = await world.sendReport();

    const book = XLSX.read(sheet, { type: 'buffer' });
    const everyCell = book.SheetNames.flatMap((name) =>
      XLSX.utils.sheet_to_json<unknown[]>(book.Sheets[name]!, { header: 1, defval: '' }).flat(),
    ).join('\n');
    expect(everyCell).not.toMatch(/token=|\/upload/);
    expect(everyCell).toContain('upload it with the link in the email this report came with');
    expect(world.emails[0]!.text).toMatch(new RegExp(`/reports/${encodeURIComponent(REPORT)}/upload\\?token=`));
  });
});

describe('the referral list on the report', () => {
  it('is fixed when the report is sent, and a resend (rebuilt from the referrals as they stand) fixes the new list', async () => {
    const world = reportWorld();
    await world.sendReport();
    expect((await world.reports.get(REPORT))!.referralIds).toEqual(world.referralIds);

    // One referral moved to another organization since.
    const moved = world.referrals.peek(world.referralIds[1]!)!;
    await world.referrals.replace({ ...moved, routing: { ...moved.routing!, organizationId: 'another-org' } });
    await resendReport(world.deps, REPORT);

    const report = await world.reports.get(REPORT);
    expect(report!.referralIds).toEqual(world.referralIds.filter((id) => id !== moved.referralId));
    expect(report!.referralCount).toBe(3);
  });

  it('is read from the index for a report sent before the list was kept, and ingest says so in its log', async () => {
    const world = reportWorld();
    const { sheet } = await world.sendReport();
    world.reports.edit(REPORT, (r) => delete r.referralIds);
    const file = await fillReport(
      sheet,
      Object.fromEntries(world.referralIds.map((id) => [id, { contactMade: 'N', resolution: 'Unable to contact' }])),
    );

    const [result] = await world.deliverUpload(`returned/${REPORT}/1.xlsx`, file, '2017-11-22T14:00:00.000Z');

    expect(result).toMatchObject({ outcome: 'ingested', accepted: 4, status: 'complete' });
    expect(world.log.messages('warn')).toContain(
      'Report has no referral list (sent before it was kept): its referrals are read from the index',
    );
  });
});
