import type { Organization } from '../../shared/domain/organization';
import type { Report } from '../../shared/domain/report';
import { deriveKey } from '../../shared/domain/signed-link';
import type { IngestDeps } from '../../shared/use-cases/ingest-report';
import { ingestReturnedFile } from '../../shared/use-cases/ingest-report';
import { HOSTILE_IDENTITY, inlineCell, workbookFile } from '../bench/hostile-sheets';
import { cpuSeconds } from '../support/cpu-time';

/*
 * Issue 10, finding 3: the cheapest proof of origin comes before expensive work. An upload's file is checked for the
 * report's signature before any of its rows is parsed, so a file that is not ours costs the same whatever its rows;
 * and a signed one may hold no more rows than its report can (5 times its referrals, or 10,000).
 *
 * The ports are in-memory stand-ins: a refusal reaches only the report and directory lookups, the mailer and the bus,
 * and the adapters behind them are tested against the stand-ins elsewhere; here only the order of the work is.
 */

const SIGNING_SECRET = Buffer.alloc(32, 5);
const REPORT = {
  reportId: HOSTILE_IDENTITY.reportId,
  organizationId: HOSTILE_IDENTITY.organizationId,
  windowId: HOSTILE_IDENTITY.windowId,
  windowStart: '2017-11-01',
  windowEnd: '2017-11-15',
  sendDate: '2017-11-22',
  dueDate: '2017-11-29',
  referralCount: 2,
  fileKey: `reports/${HOSTILE_IDENTITY.windowId}/${HOSTILE_IDENTITY.organizationId}.xlsx`,
  status: 'sent',
  createdAt: '2017-11-22T12:00:00.000Z',
} as unknown as Report;
const ORGANIZATION = {
  organizationId: HOSTILE_IDENTITY.organizationId,
  name: 'Hostile Test Navigators',
  leadEmail: 'lead@org-hostile.example.org',
} as unknown as Organization;

function depsFor(file: Buffer, sent: { to: readonly string[]; text?: string }[]): IngestDeps {
  return {
    requireSenderAuthentication: false,
    reports: { get: (id: string) => Promise.resolve(id === REPORT.reportId ? REPORT : undefined) },
    directory: { get: () => Promise.resolve(ORGANIZATION), list: () => Promise.resolve([ORGANIZATION]) },
    files: { get: () => Promise.resolve({ body: file }) },
    mailer: {
      send: (message: { to: readonly string[]; text?: string }) => {
        sent.push(message);
        return Promise.resolve();
      },
    },
    events: { publish: () => Promise.resolve() },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined },
    clock: () => new Date('2017-11-27T15:00:00Z'),
    links: { publicApiUrl: 'https://reports.example.org', signingSecret: SIGNING_SECRET, linkGraceDays: 30 },
    programContact: 'assisterleads@mnsure.example.org',
    inboundAddress: 'returns@pal.example.org',
  } as unknown as IngestDeps;
}

function sheetOfRows(count: number, signed: boolean): Buffer {
  const rows: string[] = [];
  for (let i = 2; i < count + 2; i++) {
    rows.push(
      `<row r="${i}">${inlineCell(`A${i}`, `ref_${i.toString(36)}`)}${inlineCell(`B${i}`, 'Y')}` +
        `<c r="C${i}"><v>${43060 + (i % 7)}</v></c>${inlineCell(`D${i}`, 'Enrolled in QHP')}</row>`,
    );
  }
  return workbookFile({ sheetData: rows.join(''), signed, secret: deriveKey(SIGNING_SECRET, 'report-identity') });
}

const upload = {
  source: 'upload' as const,
  key: `returned/${REPORT.reportId}/sheet.xlsx`,
  receivedAt: '2017-11-27T15:00:00.000Z',
};

/** CPU time, not wall time: the machine's other work does not move it (test/support/cpu-time.ts). */
async function secondsToRefuse(file: Buffer): Promise<number> {
  return cpuSeconds(async () => {
    const [result] = await ingestReturnedFile(depsFor(file, []), upload);
    expect(result).toEqual({ outcome: 'refused', refusal: 'not-ours' });
  });
}

describe('a returned file is checked for its signature before its rows are read', () => {
  it('refuses an unsigned sheet of 80,000 rows in about the time of one of 10,000', async () => {
    const small = sheetOfRows(10_000, false);
    const large = sheetOfRows(80_000, false);
    await secondsToRefuse(small); // warm-up
    let bestSmall = Infinity;
    let bestLarge = Infinity;
    for (let i = 0; i < 3; i++) {
      bestSmall = Math.min(bestSmall, await secondsToRefuse(small));
      bestLarge = Math.min(bestLarge, await secondsToRefuse(large));
    }
    // Reading the rows would make this near 8; reading only the identity keeps it near 1.
    const ratio = bestLarge / bestSmall;
    expect({ ratio: Math.round(ratio * 100) / 100, underTwo: ratio < 2 }).toEqual(
      expect.objectContaining({ underTwo: true }),
    );
  });

  it('refuses a signed sheet of more rows than its report can hold, and tells the organization why', async () => {
    const sent: { to: readonly string[]; text?: string }[] = [];
    const [result] = await ingestReturnedFile(depsFor(sheetOfRows(10_000, true), sent), upload);
    expect(result).toEqual({ outcome: 'refused', refusal: 'too-many-rows' });
    expect(sent).toEqual([
      expect.objectContaining({ to: [ORGANIZATION.leadEmail], text: expect.stringContaining('10,000 rows') as string }),
    ]);
  });
});
