import type { IsoDate } from '../../shared/domain/minnesota-time';
import type { Organization } from '../../shared/domain/organization';
import type { RecordedOutcome, Referral } from '../../shared/domain/referral';
import type { Report } from '../../shared/domain/report';
import { loadDefaultReportingCalendar } from '../../shared/domain/reporting-calendar';
import type { OutgoingEmail } from '../../shared/ports/mailer.port';
import type { IngestDeps } from '../../shared/use-cases/ingest-report';
import { ingestReturnedFile } from '../../shared/use-cases/ingest-report';
import type { SheetResult } from '../../shared/use-cases/report-refusal';
import { planReportSends } from '../../shared/use-cases/plan-report-sends';
import { sendReport } from '../../shared/use-cases/send-reports';
import { InMemoryDirectory } from './in-memory-directory';
import { InMemoryEvents, InMemoryMailer, InMemoryReportFiles, MemoryLog } from './in-memory-outbox';
import { InMemoryReferralStore } from './in-memory-referral-store';
import { InMemoryReportStore } from './in-memory-report-store';

/*
 * The report flows on in-memory ports, for the rules that are pure logic (file order, receipts,
 * report state). The adapters behind these ports are tested against the stand-ins in
 * test/integration; the in-memory stores here keep the same conditions the DynamoDB ones write.
 */

export const ORG = 'twin-cities-health-navigators';
export const LEAD = `leads@${ORG}.example.org`;
/** OE5's first window: Nov 1–15 2017, sent Nov 22, due Nov 29. */
export const WINDOW = '2017-11-01_2017-11-15';
export const REPORT = `${WINDOW}.${ORG}`;

const organization = {
  organizationId: ORG,
  name: 'Twin Cities Health Navigators',
  type: 'navigator',
  leadEmail: LEAD,
  coverage: { kind: 'counties', counties: ['27053'] },
  languages: ['en'],
  status: { state: 'active' },
} as Organization;

function referral(n: number, day: string): Referral {
  return {
    referralId: `ref_${String(n).padStart(26, 'a')}`,
    crmReferralId: `crm-${n}`,
    requestFingerprint: 'f',
    receivedAt: `2017-11-${day}T16:00:00.000Z`,
    referredAt: `2017-11-${day}T16:00:00.000Z`,
    representativeId: 'rep-1',
    consumer: {
      firstName: 'Avery',
      lastName: 'Example',
      phone: '+16125550100',
      preferredContactMethod: 'phone',
      countyFips: '27053',
      countyName: 'Hennepin',
    },
    case: {
      hasActiveAccount: true,
      hasActiveApplication: false,
      determinations: [],
      helpReason: { category: 'enrollment', details: 'needs help' },
      guidanceGiven: 'referred',
    },
    consentToShare: true,
    assisterType: 'navigator',
    assisterTypeRule: 'no-application',
    status: 'emailed',
    routing: { organizationId: ORG, decidedAt: `2017-11-${day}T16:00:01.000Z` },
  } as unknown as Referral;
}

export interface ReportWorld {
  deps: IngestDeps;
  readonly referrals: InMemoryReferralStore;
  readonly reports: InMemoryReportStore;
  readonly files: InMemoryReportFiles;
  readonly mailer: InMemoryMailer;
  readonly events: InMemoryEvents;
  readonly log: MemoryLog;
  /** Every email sent, in order. */
  readonly emails: OutgoingEmail[];
  readonly referralIds: string[];
  /** The clock the use cases read; tests move it. */
  now: Date;
  /** Sends the window's report (the real send use case) and returns the sheet it stored. */
  sendReport(): Promise<{ report: Report; sheet: Buffer }>;
  /** Stores an uploaded file under returned/ and delivers its S3 event to ingest (again, for a redelivery). */
  deliverUpload(key: string, body: Buffer | undefined, receivedAt: string, version?: string): Promise<SheetResult[]>;
  receipts(): OutgoingEmail[];
}

export function reportWorld(referralDays: readonly string[] = ['02', '06', '09', '15']): ReportWorld {
  const referrals = new InMemoryReferralStore(referralDays.map((day, i) => referral(i + 1, day)));
  const reports = new InMemoryReportStore();
  const files = new InMemoryReportFiles();
  const mailer = new InMemoryMailer();
  const events = new InMemoryEvents();
  const log = new MemoryLog();
  const world: ReportWorld = {
    now: new Date('2017-11-22T13:00:00Z'),
    referrals,
    reports,
    files,
    mailer,
    events,
    log,
    emails: mailer.sent,
    referralIds: referrals.all().map((r) => r.referralId),
    deps: {
      calendar: loadDefaultReportingCalendar(),
      directory: new InMemoryDirectory([organization]),
      referrals,
      reports,
      files,
      mailer,
      events,
      log,
      clock: () => world.now,
      links: {
        publicApiUrl: 'https://links.example.org',
        signingSecret: Buffer.from('a test signing secret of 32+ characters', 'utf8'),
        linkGraceDays: 14,
      },
      programContact: 'assisterleads@mnsure.example.org',
      inboundAddress: 'pal-returns@inbound.mnsure.example.org',
      requireSenderAuthentication: false,
    },
    async sendReport() {
      // The job plans, then each unit is built as its own delivery would build it.
      const plan = await planReportSends(world.deps, '2017-11-22' as IsoDate);
      for (const unit of plan.requested) await sendReport(world.deps, unit);
      const report = (await reports.get(REPORT))!;
      return { report, sheet: files.objects.get(report.fileKey)!.body };
    },
    async deliverUpload(key, body, receivedAt, version) {
      if (body) await files.put(key, body, 'application/octet-stream');
      return ingestReturnedFile(world.deps, {
        source: 'upload',
        key,
        receivedAt,
        ...(version !== undefined && { version }),
      } as Parameters<typeof ingestReturnedFile>[1]);
    },
    receipts: () => mailer.sent.filter((e) => /^PAL report (in)?complete|^PAL report already/.test(e.subject)),
  };
  return world;
}

/** The outcome fields an organization fills in, as stored. */
export function filled(outcome: RecordedOutcome | undefined) {
  return outcome && { contactMade: outcome.contactMade, resolution: outcome.resolution, comments: outcome.comments };
}
