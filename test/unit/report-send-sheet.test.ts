import * as XLSX from 'xlsx';
import { REPORT, reportWorld } from './support/report-world';

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
