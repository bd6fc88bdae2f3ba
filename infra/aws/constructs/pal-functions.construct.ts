import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { TableRole } from '../../../shared/adapters/dynamo-tables';
import type { FunctionBundles, FunctionName } from '../../../scripts/bundle-functions';
import type { AppSecrets, SecretRole } from './app-secrets.construct';
import type { DataTables, TableAccess } from './data-tables.construct';
import { TABLE_ENV } from './data-tables.construct';
import type { Email } from './email.construct';
import type { FunctionDefaults } from './pal-function.construct';
import { PalFunction } from './pal-function.construct';
import type { ReferralEventBus } from './referral-event-bus.construct';
import type { ReportsBucket } from './reports-bucket.construct';

export interface PalFunctionsProps {
  readonly bundles: FunctionBundles;
  readonly defaults: FunctionDefaults;
  readonly tables: DataTables;
  readonly reports: ReportsBucket;
  readonly events: ReferralEventBus;
  readonly email: Email;
  readonly secrets: AppSecrets;
  readonly leadSender: string;
  readonly reportSender: string;
  readonly programContact: string;
  readonly inboundAddress: string;
}

/** What a function needs: tables and how, events, email, secrets. */
interface Needs {
  readonly tables: Partial<Record<TableRole, TableAccess>>;
  /** Tables its configuration names though its handler never touches them: the name, no permission. */
  readonly names?: TableRole[];
  readonly publishes: boolean;
  /** Sender addresses it may send from (SES FromAddress). */
  readonly sendsFrom?: string[];
  readonly secrets?: SecretRole[];
}

/** The report functions: they share one configuration schema (ReportsConfigSchema). */
export const REPORT_FUNCTIONS = ['report-send', 'report-due', 'report-ingest', 'report-links'] as const;
/** Functions that write links to the public links API into emails (PUBLIC_API_URL). */
export const LINK_WRITERS = [
  'route-referral',
  'ses-feedback',
  'contact-confirmations',
  'admin-api',
  ...REPORT_FUNCTIONS,
] as const;

/**
 * The functions and what each may touch. Every function gets its configuration and its permissions
 * in the same call (`use`), and only for what its handler does (r = read, rw = read/write,
 * append = PutItem only):
 *
 * | function              | tables                                             | bucket                       | email from    | secrets  |
 * | --------------------- | -------------------------------------------------- | ---------------------------- | ------------- | -------- |
 * | intake-api            | referrals rw                                       |                              |               |          |
 * | republish-referrals   | referrals rw                                       |                              |               |          |
 * | route-referral        | referrals rw, directory r, consumer history rw     |                              | lead sender   | both     |
 * | report-send           | referrals r, directory r, reports rw               | write reports/               | report sender | signing  |
 * | report-due            | directory r, reports rw                            |                              | report sender | signing  |
 * | report-ingest         | referrals rw, directory r, reports rw              | read returned/, inbound/     | report sender | signing  |
 * | report-links          | reports r                                          | read reports/, write returned/ (presigned) |  | signing  |
 * | lead-page             | referrals r, directory r, audit append             |                              |               | signing  |
 * | ses-feedback          | referrals rw, directory rw, audit append           |                              | lead sender   | both     |
 * | contact-confirmations | directory rw, audit read + append                  |                              | lead sender   | signing  |
 * | contact-confirm       | directory rw, audit append                         |                              |               | signing  |
 * | admin-api             | referrals, directory, reports rw; audit read + append | read + write reports/     | both senders  | both     |
 *
 * Each publisher may put on the bus only the events the catalog names it the producer of. Routing,
 * feedback and admin sign secure lead links, so they read both secrets. Tables a schema names but the
 * handler never touches are passed by name, without any permission.
 */
export class PalFunctions extends Construct {
  public readonly functions: Readonly<Record<FunctionName, PalFunction>>;
  private readonly props: PalFunctionsProps;

  constructor(scope: Construct, id: string, props: PalFunctionsProps) {
    super(scope, id);
    this.props = props;
    const fn = (
      name: FunctionName,
      id: string,
      description: string,
      settings: Pick<
        ConstructorParameters<typeof PalFunction>[2],
        'memorySize' | 'timeout' | 'reservedConcurrency' | 'invocation'
      >,
    ) =>
      new PalFunction(this, id, {
        name,
        bundle: props.bundles[name],
        description,
        defaults: props.defaults,
        ...settings,
      });

    const intake = fn('intake-api', 'IntakeApi', 'PAL: intake API (POST /referrals, GET /referrals/{id})', {
      timeout: Duration.seconds(10),
      reservedConcurrency: 20,
      invocation: 'sync',
    });
    this.use(intake, { tables: { referrals: 'readWrite' }, publishes: true });

    const republish = fn('republish-referrals', 'RepublishReferrals', 'PAL: re-publishes unpublished referrals', {
      memorySize: 256,
      timeout: Duration.seconds(60),
      // One sweep at a time: two would race to publish the same referrals.
      reservedConcurrency: 1,
      invocation: 'async',
    });
    this.use(republish, { tables: { referrals: 'readWrite' }, publishes: true });

    const route = fn('route-referral', 'RouteReferral', 'PAL: routes a referral and emails the lead', {
      // SES refusals are retried in the function with backoff (up to ~30 s).
      timeout: Duration.seconds(60),
      reservedConcurrency: 10,
      invocation: 'async',
    });
    this.use(route, {
      tables: { referrals: 'readWrite', directory: 'read', consumerHistory: 'readWrite' },
      publishes: true,
      sendsFrom: [props.leadSender],
      secrets: ['consumerKey', 'signing'],
    });
    this.addSenders(route);

    const send = fn(
      'report-send',
      'ReportSend',
      'PAL: plans the reports due out today; builds and emails one per event',
      {
        memorySize: 1024,
        timeout: Duration.minutes(10),
        // Reports are built one per invocation, a few at once (the claim on each keeps sends single).
        reservedConcurrency: 4,
        invocation: 'async',
      },
    );
    this.useReports(send, {
      tables: { referrals: 'read', directory: 'read', reports: 'readWrite' },
      writes: ['generated'],
      sendsFrom: [props.reportSender],
    });

    const due = fn('report-due', 'ReportDue', 'PAL: reminders, overdue marks and the OverdueReports metric', {
      timeout: Duration.minutes(2),
      reservedConcurrency: 1,
      invocation: 'async',
    });
    this.useReports(due, { tables: { directory: 'read', reports: 'readWrite' }, sendsFrom: [props.reportSender] });

    // Inbound email: the MIME parser lives here alone, apart from the sheet reader (bundle budgets).
    const mailIntake = fn(
      'mail-intake',
      'MailIntake',
      'PAL: unpacks the sheets attached to inbound email for report-ingest',
      {
        memorySize: 512,
        timeout: Duration.minutes(1),
        reservedConcurrency: 5,
        invocation: 'async',
      },
    );
    this.useReports(mailIntake, {
      tables: { directory: 'read' },
      reads: ['inbound'],
      writes: ['received'],
      sendsFrom: [props.reportSender],
      secrets: [],
    });

    const ingest = fn('report-ingest', 'ReportIngest', 'PAL: ingests returned report sheets (upload or email)', {
      memorySize: 1024,
      timeout: Duration.minutes(2),
      reservedConcurrency: 5,
      invocation: 'async',
    });
    this.useReports(ingest, {
      tables: { referrals: 'readWrite', directory: 'read', reports: 'readWrite' },
      reads: ['returned', 'received'],
      sendsFrom: [props.reportSender],
    });

    const links = fn('report-links', 'ReportLinks', 'PAL: report download and upload links (public)', {
      timeout: Duration.seconds(10),
      reservedConcurrency: 10,
      invocation: 'sync',
    });
    // It signs presigned URLs with its own role: the download of reports/ and the upload to returned/.
    this.useReports(links, {
      tables: { reports: 'read' },
      reads: ['generated'],
      writes: ['returned'],
      publishes: false,
    });

    const leadPage = fn('lead-page', 'LeadPage', 'PAL: the secure lead page behind the link in lead emails (public)', {
      timeout: Duration.seconds(10),
      reservedConcurrency: 10,
      invocation: 'sync',
    });
    // Every view is recorded in the audit table, which it may only add to.
    this.use(leadPage, {
      tables: { referrals: 'read', directory: 'read', audit: 'append' },
      publishes: false,
      secrets: ['signing'],
    });
    leadPage.addEnvironment('PROGRAM_CONTACT', props.programContact);

    // Lead contacts: bounces and complaints, and the periodic confirmation of each contact.
    const feedback = fn(
      'ses-feedback',
      'SesFeedback',
      'PAL: bounces and complaints mark a lead contact failing and re-route',
      {
        timeout: Duration.seconds(60),
        reservedConcurrency: 5,
        invocation: 'async',
      },
    );
    this.use(feedback, {
      tables: { referrals: 'readWrite', directory: 'readWrite', audit: 'append' },
      names: ['consumerHistory'],
      publishes: true,
      sendsFrom: [props.leadSender],
      secrets: ['consumerKey', 'signing'],
    });
    this.addSenders(feedback);

    const confirmations = fn(
      'contact-confirmations',
      'ContactConfirmations',
      'PAL: daily directory upkeep: resumes suspensions that end today, asks contacts to confirm, flags the unconfirmed',
      {
        timeout: Duration.minutes(5),
        reservedConcurrency: 1,
        invocation: 'async',
      },
    );
    this.use(confirmations, {
      tables: { directory: 'readWrite', audit: 'readAppend' },
      publishes: true,
      sendsFrom: [props.leadSender],
      secrets: ['signing'],
    });
    this.addSenders(confirmations);

    const confirm = fn(
      'contact-confirm',
      'ContactConfirm',
      'PAL: the page a contact confirmation link opens (public)',
      {
        timeout: Duration.seconds(10),
        reservedConcurrency: 5,
        invocation: 'sync',
      },
    );
    this.use(confirm, { tables: { directory: 'readWrite', audit: 'append' }, publishes: false, secrets: ['signing'] });
    confirm.addEnvironment('PROGRAM_CONTACT', props.programContact);

    // Ops: the admin API (IAM-authorized routes under /admin of the intake API).
    const admin = fn('admin-api', 'AdminApi', 'PAL: admin API of the PAL point of contact (IAM)', {
      memorySize: 1024,
      timeout: Duration.seconds(29),
      reservedConcurrency: 5,
      invocation: 'sync',
    });
    this.useReports(admin, {
      tables: { referrals: 'readWrite', directory: 'readWrite', reports: 'readWrite', audit: 'readAppend' },
      names: ['consumerHistory'],
      reads: ['generated'],
      writes: ['generated'],
      sendsFrom: [props.leadSender, props.reportSender],
      secrets: ['consumerKey', 'signing'],
    });
    this.addSenders(admin);

    this.functions = {
      'intake-api': intake,
      'republish-referrals': republish,
      'route-referral': route,
      'report-send': send,
      'report-due': due,
      'report-ingest': ingest,
      'mail-intake': mailIntake,
      'report-links': links,
      'lead-page': leadPage,
      'ses-feedback': feedback,
      'contact-confirmations': confirmations,
      'contact-confirm': confirm,
      'admin-api': admin,
    };
  }

  /** The links' base URL (the public links API), known once that API exists. */
  public setPublicApiUrl(url: string): void {
    for (const name of LINK_WRITERS) this.functions[name].addEnvironment('PUBLIC_API_URL', url);
  }

  /** Configuration and permissions of one function, granted together. */
  private use(fn: PalFunction, needs: Needs): void {
    for (const [role, access] of Object.entries(needs.tables) as [TableRole, TableAccess][]) {
      fn.addEnvironment(TABLE_ENV[role], this.props.tables.tables[role].tableName);
      this.props.tables.grant(fn.role, role, access);
    }
    for (const role of needs.names ?? []) fn.addEnvironment(TABLE_ENV[role], this.props.tables.tables[role].tableName);
    if (needs.publishes) this.props.events.allowPublishing(fn);
    if (needs.sendsFrom) this.props.email.allowSending(fn, needs.sendsFrom);
    for (const secret of needs.secrets ?? []) this.props.secrets.bind(fn, secret);
  }

  /** The lead sender and MNsure's program contact (the reply-to of what it sends). */
  private addSenders(fn: PalFunction): void {
    fn.addEnvironment('LEAD_SENDER', this.props.leadSender);
    fn.addEnvironment('PROGRAM_CONTACT', this.props.programContact);
  }

  /** The report functions share a configuration schema: every name in it, permissions as needed. */
  private useReports(
    fn: PalFunction,
    needs: Omit<Needs, 'publishes'> & {
      publishes?: boolean;
      reads?: ('generated' | 'returned' | 'inbound' | 'received')[];
      writes?: ('generated' | 'returned' | 'received')[];
    },
  ): void {
    const p = this.props;
    this.use(fn, { secrets: ['signing'], ...needs, publishes: needs.publishes ?? true });
    // The schema names the bus for every report function; publishing is a grant for some.
    if (needs.publishes === false) fn.addEnvironment('EVENT_BUS_NAME', p.events.bus.eventBusName);
    for (const role of ['referrals', 'directory', 'reports'] as const) {
      if (!needs.tables[role]) fn.addEnvironment(TABLE_ENV[role], p.tables.tables[role].tableName);
    }
    for (const prefix of needs.reads ?? []) p.reports.grantReadObjects(fn.role, prefix);
    for (const prefix of needs.writes ?? []) p.reports.grantWriteObjects(fn.role, prefix);
    fn.addEnvironment('REPORTS_BUCKET', p.reports.bucket.bucketName);
    fn.addEnvironment('REPORT_SENDER', p.reportSender);
    fn.addEnvironment('PROGRAM_CONTACT', p.programContact);
    fn.addEnvironment('INBOUND_ADDRESS', p.inboundAddress);
    // On AWS, SES writes its verdicts on inbound mail: without DMARC or aligned DKIM, a From is not believed.
    fn.addEnvironment('REQUIRE_SENDER_AUTHENTICATION', 'true');
  }
}
