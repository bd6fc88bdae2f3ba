import type { Fill } from '../integration/support/reports';
import { fillReport } from '../integration/support/reports';
import { filled, REPORT, reportWorld } from '../support/report-world';

/*
 * Which file's outcomes stand, and what each upload is told: the latest upload by arrival wins
 * (re-sending an earlier file restores its outcomes), every upload gets a receipt, a redelivery of
 * the same S3 object counts once, and the report's state never goes backwards. In-memory ports:
 * this is the use case's logic; the DynamoDB conditions behind it are tested on the stand-ins.
 */

const A: Fill = { contactMade: 'N', resolution: 'Unable to contact', comments: 'version A' };
const B: Fill = { contactMade: 'Y', contactDate: '2017-11-20', resolution: 'Enrolled in QHP', comments: 'version B' };
const expected = (f: Fill) => ({ contactMade: f.contactMade === 'Y', resolution: f.resolution, comments: f.comments });

async function setUp() {
  const world = reportWorld();
  const { sheet } = await world.sendReport();
  const version = (fill: Fill, ids = world.referralIds) =>
    fillReport(sheet, Object.fromEntries(ids.map((id) => [id, fill])));
  return { world, version };
}

describe('re-sending an earlier file', () => {
  it('upload A, then B, then A again: A’s outcomes stand, and every upload gets a receipt', async () => {
    const { world, version } = await setUp();
    const [fileA, fileB] = [await version(A), await version(B)];

    await world.deliverUpload(`returned/${REPORT}/1.xlsx`, fileA, '2017-11-22T14:00:00.000Z');
    await world.deliverUpload(`returned/${REPORT}/2.xlsx`, fileB, '2017-11-22T15:00:00.000Z');
    const third = await world.deliverUpload(`returned/${REPORT}/3.xlsx`, fileA, '2017-11-22T16:00:00.000Z');

    expect(third).toEqual([expect.objectContaining({ outcome: 'ingested', accepted: 4 })]);
    for (const id of world.referralIds) expect(filled(world.referrals.peek(id)!.outcome)).toEqual(expected(A));
    const receipts = world.receipts();
    expect(receipts).toHaveLength(3);
    expect(receipts[2]!.text).toContain('This file was already applied on Wednesday, November 22, 2017');
    expect(receipts[2]!.text).toContain('its outcomes replace those of the files sent since');
  });

  it('the same file sent again with nothing to restore is answered: already applied, nothing changed', async () => {
    const { world, version } = await setUp();
    const fileA = await version(A);
    await world.deliverUpload(`returned/${REPORT}/1.xlsx`, fileA, '2017-11-22T14:00:00.000Z');
    world.now = new Date('2017-11-24T15:00:00Z');

    const again = await world.deliverUpload(`returned/${REPORT}/2.xlsx`, fileA, '2017-11-24T15:00:00.000Z');

    expect(again).toEqual([expect.objectContaining({ outcome: 'ingested', changed: 0 })]);
    const receipts = world.receipts();
    expect(receipts).toHaveLength(2);
    expect(receipts[1]!.subject).toBe('PAL report already received: 2017-11-01 to 2017-11-15');
    expect(receipts[1]!.text).toContain(
      'This file was already applied on Wednesday, November 22, 2017; nothing changed.',
    );
    for (const id of world.referralIds) expect(filled(world.referrals.peek(id)!.outcome)).toEqual(expected(A));
  });

  it('a second delivery of the same S3 object (same key and version) is counted once, with no second receipt', async () => {
    const { world, version } = await setUp();
    const fileA = await version(A);
    const key = `returned/${REPORT}/1.xlsx`;

    await world.deliverUpload(key, fileA, '2017-11-22T14:00:00.000Z', 'v1');
    const redelivered = await world.deliverUpload(key, undefined, '2017-11-22T14:00:00.000Z', 'v1');

    expect(redelivered).toEqual([expect.objectContaining({ outcome: 'duplicate' })]);
    expect(world.receipts()).toHaveLength(1);
    expect(world.events.published.filter((e) => e.detailType === 'Report Accepted')).toHaveLength(1);
  });

  it('the same key uploaded again (a new S3 version) is a new upload, not a redelivery', async () => {
    const { world, version } = await setUp();
    const key = `returned/${REPORT}/1.xlsx`;

    await world.deliverUpload(key, await version(A), '2017-11-22T14:00:00.000Z', 'v1');
    await world.deliverUpload(key, await version(B), '2017-11-22T15:00:00.000Z', 'v2');
    const third = await world.deliverUpload(key, await version(A), '2017-11-22T16:00:00.000Z', 'v3');

    expect(third).toEqual([expect.objectContaining({ outcome: 'ingested', accepted: 4 })]);
    for (const id of world.referralIds) expect(filled(world.referrals.peek(id)!.outcome)).toEqual(expected(A));
    expect(world.receipts()).toHaveLength(3);
  });
});

describe('report state that never goes backwards', () => {
  it('an older partial file processed after a newer complete one leaves the report complete', async () => {
    const { world, version } = await setUp();
    const [r1, r2] = world.referralIds as [string, string];
    const partial = await version(A, [r1, r2]); // rows 3 and 4 left blank
    const complete = await version(B);
    // The byOrganization index lags behind the writes, as DynamoDB's global indexes may.
    world.referrals.freezeIndex();

    await world.deliverUpload(`returned/${REPORT}/2.xlsx`, complete, '2017-11-22T15:00:00.000Z');
    const older = await world.deliverUpload(`returned/${REPORT}/1.xlsx`, partial, '2017-11-22T14:00:00.000Z');

    const report = await world.reports.get(REPORT);
    expect(report).toMatchObject({ status: 'complete', missingReferralIds: [] });
    expect(report!.lastReceivedAt).toBe('2017-11-22T15:00:00.000Z');
    for (const id of world.referralIds) expect(filled(world.referrals.peek(id)!.outcome)).toEqual(expected(B));
    // None of the older file's rows was written: none is counted as accepted.
    expect(older).toEqual([expect.objectContaining({ outcome: 'ingested', accepted: 0, status: 'complete' })]);
    const receipt = world.receipts().at(-1)!;
    expect(receipt.text).toContain('Rows accepted: 0');
    expect(receipt.text).toContain('Rows already answered by a file sent later: 2');
  });

  it('accepted counts only the rows whose outcome was written', async () => {
    const { world, version } = await setUp();
    await world.deliverUpload(`returned/${REPORT}/2.xlsx`, await version(B), '2017-11-22T15:00:00.000Z');

    const older = await world.deliverUpload(`returned/${REPORT}/1.xlsx`, await version(A), '2017-11-22T14:00:00.000Z');

    expect(older).toEqual([expect.objectContaining({ accepted: 0 })]);
    expect(world.receipts().at(-1)!.text).toContain('Rows accepted: 0');
    for (const id of world.referralIds) expect(filled(world.referrals.peek(id)!.outcome)).toEqual(expected(B));
  });

  it('the referral list is fixed on the report when it is sent', async () => {
    const { world } = await setUp();
    expect((await world.reports.get(REPORT))!.referralIds).toEqual(world.referralIds);
  });
});
