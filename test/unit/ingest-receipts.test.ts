import type { Fill } from '../integration/support/reports';
import { fillReport } from '../integration/support/reports';
import { REPORT, reportWorld } from '../support/report-world';

/*
 * What a receipt says: "complete" only when nothing is missing and nothing was refused, and a size
 * bounded whatever the file holds. In-memory ports (the use case's logic).
 */

const GOOD: Fill = { contactMade: 'Y', contactDate: '2017-11-20', resolution: 'Enrolled in QHP' };

async function setUp() {
  const world = reportWorld();
  const { sheet } = await world.sendReport();
  return { world, sheet };
}

describe('the receipt', () => {
  it('is not "complete" when a row of the file was refused, even though every referral has an outcome', async () => {
    const { world, sheet } = await setUp();
    const [r1] = world.referralIds as [string];
    const all = Object.fromEntries(world.referralIds.map((id) => [id, GOOD]));
    await world.deliverUpload(`returned/${REPORT}/1.xlsx`, await fillReport(sheet, all), '2017-11-22T14:00:00.000Z');

    // The same answers again, but row 2 now says contact was made without a date: refused.
    const file = await fillReport(sheet, { ...all, [r1]: { contactMade: 'Y', resolution: 'Enrolled in QHP' } });
    await world.deliverUpload(`returned/${REPORT}/2.xlsx`, file, '2017-11-22T15:00:00.000Z');

    const receipt = world.receipts().at(-1)!;
    expect(receipt.subject).toBe('PAL report incomplete: 2017-11-01 to 2017-11-15');
    expect(receipt.text).toContain('Rows with a problem: 1');
    expect(receipt.text).not.toMatch(/It is complete/);
  });

  it('lists the first 200 problems and counts the rest, so its size does not grow with the file', async () => {
    const { world, sheet } = await setUp();
    const strangers = Object.fromEntries(
      Array.from({ length: 450 }, (_, i) => [`ref_${String(i).padStart(26, 'z')}`, GOOD]),
    );
    const file = await fillReport(sheet, {}, strangers);

    const [result] = await world.deliverUpload(`returned/${REPORT}/1.xlsx`, file, '2017-11-22T14:00:00.000Z');

    expect(result).toMatchObject({ outcome: 'ingested', problems: 450 });
    const receipt = world.receipts().at(-1)!;
    expect(receipt.text).toContain('Rows with a problem: 450');
    expect(receipt.text.match(/this referral is not in this report/g)).toHaveLength(200);
    expect(receipt.text).toContain('…and 250 more problems not listed here.');
    expect(receipt.html.match(/this referral is not in this report/g)).toHaveLength(200);
  });
});
