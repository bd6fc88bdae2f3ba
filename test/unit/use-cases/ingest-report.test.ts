import { RetryLaterError } from '../../../shared/domain/errors';
import { ingestReturnedFile } from '../../../shared/use-cases/ingest-report';
import { fillReport } from '../../integration/support/reports';
import { filled, LEAD, REPORT, reportWorld } from '../../support/report-world';

/*
 * Report ingest (shared/use-cases/ingest-report.ts) on in-memory ports: who may return a sheet, one
 * ingest per stored object, and a failure part-way that the retry completes. File order and receipts
 * are in ingest-file-order.test.ts and ingest-receipts.test.ts; the same flows over S3 events, the
 * DynamoDB conditions and SES receiving are tested on the stand-ins (test/integration).
 */

const ANSWER = { contactMade: 'N', resolution: 'Unable to contact' } as const;

async function sentAndFilled() {
  const world = reportWorld();
  const { sheet } = await world.sendReport();
  const file = await fillReport(sheet, Object.fromEntries(world.referralIds.map((id) => [id, ANSWER])));
  return { world, file };
}

async function emailed(world: ReturnType<typeof reportWorld>, file: Buffer, sender: string, key = 'received/1.xlsx') {
  await world.files.put(key, file, 'application/octet-stream', { sender, 'file-name': 'PAL%20report.xlsx' });
  return ingestReturnedFile(world.deps, { source: 'email', key, receivedAt: '2017-11-22T14:00:00.000Z' });
}

describe('a sheet returned by email', () => {
  it('from the designated contact is ingested and receipted to them', async () => {
    const { world, file } = await sentAndFilled();

    const [result] = await emailed(world, file, LEAD.toUpperCase());

    expect(result).toMatchObject({ outcome: 'ingested', reportId: REPORT, accepted: 4, status: 'complete' });
    expect(world.receipts().map((e) => e.to)).toEqual([[LEAD]]);
    for (const id of world.referralIds)
      expect(filled(world.referrals.peek(id)!.outcome)).toMatchObject({ contactMade: false });
  });

  it('from someone who is not a lead contact is refused, and they are told nothing', async () => {
    const { world, file } = await sentAndFilled();
    const sentBefore = world.emails.length;

    const [result] = await emailed(world, file, 'someone@elsewhere.example.org');

    expect(result).toMatchObject({ outcome: 'refused', refusal: 'unknown-sender' });
    expect(world.emails).toHaveLength(sentBefore);
    for (const id of world.referralIds) expect(world.referrals.peek(id)!.outcome).toBeUndefined();
  });

  it('from another organization’s contact is refused as the wrong sender, and only the report’s own contact is told', async () => {
    const { world, file } = await sentAndFilled();
    const org = (await world.deps.directory.get('twin-cities-health-navigators'))!;
    await world.deps.directory.put({
      ...org,
      organizationId: 'other-navigators',
      leadEmail: 'leads@other.example.org',
    });

    const [result] = await emailed(world, file, 'leads@other.example.org');

    expect(result).toMatchObject({ outcome: 'refused', refusal: 'wrong-sender' });
    expect(world.mailer.to('leads@other.example.org')).toEqual([]);
    expect(world.mailer.to(LEAD).at(-1)!.subject).toMatch(/^PAL report not accepted/);
  });
});

describe('one stored object, one ingest', () => {
  it('while another delivery is ingesting the same object, asks for a retry and writes nothing', async () => {
    const { world, file } = await sentAndFilled();
    const key = `returned/${REPORT}/1.xlsx`;
    await world.reports.claimFile(REPORT, `${key}#v1`, world.now.toISOString(), new Date(0).toISOString());

    await expect(world.deliverUpload(key, file, '2017-11-22T14:00:00.000Z', 'v1')).rejects.toBeInstanceOf(
      RetryLaterError,
    );
    expect(world.receipts()).toEqual([]);
  });

  it('a failure part-way releases the claim: the retry stores every outcome and sends one receipt', async () => {
    const { world, file } = await sentAndFilled();
    const key = `returned/${REPORT}/1.xlsx`;
    const recordReturn = world.reports.recordReturn.bind(world.reports);
    let failures = 1;
    world.reports.recordReturn = async (...args) => {
      if (failures-- > 0) throw new Error('DynamoDB is unavailable');
      return recordReturn(...args);
    };

    await expect(world.deliverUpload(key, file, '2017-11-22T14:00:00.000Z', 'v1')).rejects.toThrow(
      'DynamoDB is unavailable',
    );
    const [retried] = await world.deliverUpload(key, undefined, '2017-11-22T14:00:00.000Z', 'v1');

    expect(retried).toMatchObject({ outcome: 'ingested', accepted: 4, status: 'complete' });
    expect(world.receipts()).toHaveLength(1);
    expect(world.reports.peek(REPORT)).toMatchObject({ status: 'complete', missingReferralIds: [] });
  });
});
