import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LocalStack } from '../../infra/local/stack';
import { LOCAL_CREDENTIALS } from '../../infra/local/stack';
import { buildReportDeps } from '../../shared/wiring/reports';
import { DynamoReportStore } from '../../shared/adapters/dynamo-report-store.adapter';
import { addMinnesotaBusinessDays } from '../../shared/domain/business-days';
import type { IsoDate } from '../../shared/domain/minnesota-time';
import { loadDefaultReportingCalendar } from '../../shared/domain/reporting-calendar';
import { checkDueReports } from '../../shared/use-cases/check-due-reports';
import { storesOf } from './support/directory';
import { startTestStack } from './support/local-stack';
import { fanoutOrganizationId, seedReportingWindow } from './support/report-fanout';

/*
 * The due-date job does work per report that may change today, not per season: reports already
 * marked overdue are counted in the index, never loaded again. A season of OE5: four windows past
 * due (marked overdue on the first run), the fifth due Wed Jan 24 2018 (reminded Mon Jan 22).
 * Reads are counted on the adapter's own DynamoDB client, against dynalite.
 */
const ORGANIZATIONS = 15;
const WINDOWS = ['2017-11-01_2017-11-15', '2017-11-16_2017-11-29', '2017-11-30_2017-12-13', '2017-12-14_2017-12-27'];
const CURRENT = '2017-12-28_2018-01-10';

interface Reads {
  requests: number;
  /** Items DynamoDB read (ScannedCount, or 1 for a GetItem that found one). */
  itemsRead: number;
  /** Items returned to the function (loaded into memory). */
  itemsLoaded: number;
}

/** Counts every DynamoDB read the client makes, as the caller sees its answer. */
function countReads(doc: DynamoDBDocumentClient): Reads {
  const reads: Reads = { requests: 0, itemsRead: 0, itemsLoaded: 0 };
  doc.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      const o = out.output as { Items?: unknown[]; Item?: unknown; ScannedCount?: number };
      if (o.Items || o.ScannedCount !== undefined || 'Item' in o) {
        reads.requests++;
        reads.itemsRead += o.ScannedCount ?? (o.Item ? 1 : 0);
        reads.itemsLoaded += o.Items?.length ?? (o.Item ? 1 : 0);
      }
      return out;
    },
    { step: 'initialize', name: 'countReads' },
  );
  return reads;
}

let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack({ seedDemoDirectory: false });
  await seedReportingWindow(stack, ORGANIZATIONS, 0);
  const { reports } = storesOf(stack);
  const calendar = loadDefaultReportingCalendar();
  for (const windowId of [...WINDOWS, CURRENT]) {
    const w = calendar.windowById(windowId)!;
    for (let o = 0; o < ORGANIZATIONS; o++) {
      const organizationId = fanoutOrganizationId(o);
      await reports.createIfAbsent({
        reportId: `${windowId}.${organizationId}`,
        organizationId,
        windowId,
        windowStart: w.start,
        windowEnd: w.end,
        sendDate: w.sendDate,
        dueDate: w.dueDate,
        referralCount: 3,
        referralIds: [
          'ref_aaaaaaaaaaaaaaaaaaaaaaaaaa',
          'ref_bbbbbbbbbbbbbbbbbbbbbbbbbb',
          'ref_cccccccccccccccccccccccc',
        ],
        fileKey: `reports/${windowId}/${organizationId}.xlsx`,
        status: 'sent',
        createdAt: `${w.sendDate}T13:00:00.000Z`,
        emailedAt: `${w.sendDate}T13:00:01.000Z`,
      });
    }
  }
}, 120_000);
afterAll(() => stack.stop());

/** The due-date job for `date`, its reports store on a client whose reads are counted. */
async function runDueJob(date: IsoDate) {
  const deps = buildReportDeps(stack.config.reports, 'report-due', LOCAL_CREDENTIALS);
  const { doc } = storesOf(stack);
  const reads = countReads(doc);
  const result = await checkDueReports(
    {
      ...deps,
      reports: new DynamoReportStore(doc, stack.config.reports.REPORTS_TABLE),
      metrics: { overdueReports: () => undefined },
      clock: () => new Date(`${date}T13:15:00Z`),
    },
    date,
  );
  return { result, reads };
}

describe('the due-date job over a season', () => {
  it('marks the past windows overdue and reminds the current one, once', async () => {
    const { result } = await runDueJob('2018-01-22' as IsoDate);
    expect(result.markedOverdue).toHaveLength(WINDOWS.length * ORGANIZATIONS);
    expect(result.reminded).toHaveLength(ORGANIZATIONS);
    expect(result.overdue).toBe(WINDOWS.length * ORGANIZATIONS);
  });

  it('the next day loads only the current window: the overdue backlog is counted, not reread', async () => {
    const date = '2018-01-23' as IsoDate;
    // What the job loaded before the open index was split (one query): every open report due by the horizon.
    const { doc } = storesOf(stack);
    const before = countReads(doc);
    const everyOpen = await new DynamoReportStore(doc, stack.config.reports.REPORTS_TABLE).listOpen(
      addMinnesotaBusinessDays(date, 2),
    );
    expect(everyOpen).toHaveLength((WINDOWS.length + 1) * ORGANIZATIONS);

    const { result, reads } = await runDueJob(date);

    expect(result).toEqual({ date, reminded: [], markedOverdue: [], overdue: WINDOWS.length * ORGANIZATIONS });
    expect(reads.itemsLoaded).toBe(ORGANIZATIONS);
    expect(before.itemsLoaded).toBe((WINDOWS.length + 1) * ORGANIZATIONS);
  });
});
