import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent, EventBridgeEvent } from 'aws-lambda';
import sesLocal from 'aws-ses-v2-local';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import demoDirectory from '../../config/demo-directory.json';
import { ReferralCreated } from '../../events/catalog';
import { buildContactConfirmPageDeps, createContactConfirmHandler } from '../../functions/contact-confirm/handler';
import {
  buildContactConfirmationsDeps,
  createContactConfirmationsHandler,
} from '../../functions/contact-confirmations/handler';
import { createAdminApiHandler } from '../../functions/admin-api/handler';
import { buildIntakeApiDeps, createIntakeApiHandler } from '../../functions/intake-api/handler';
import { buildLeadPageDeps, createLeadPageHandler } from '../../functions/lead-page/handler';
import { createReportDueHandler } from '../../functions/report-due/handler';
import { createReportIngestHandler } from '../../functions/report-ingest/handler';
import { buildMailIntakeDeps, createMailIntakeHandler } from '../../functions/mail-intake/handler';
import { RETURN_PREFIXES } from '../../shared/api/jobs';
import { createReportLinksHandler } from '../../functions/report-links/handler';
import { createReportSendHandler } from '../../functions/report-send/handler';
import { buildRepublishDeps, createRepublishHandler } from '../../functions/republish-referrals/handler';
import { createRouteReferralHandler } from '../../functions/route-referral/handler';
import { buildRouteReferralDeps } from '../../shared/adapters/routing-deps';
import { buildMailFeedbackDeps, createSesFeedbackHandler } from '../../functions/ses-feedback/handler';
import type { LocalCredentials } from '../../shared/adapters/aws-clients';
import { documentClient } from '../../shared/adapters/aws-clients';
import { DynamoAssisterDirectory } from '../../shared/adapters/dynamo-directory.adapter';
import type { TableRole } from '../../shared/adapters/dynamo-tables';
import { buildAdminDeps } from '../../shared/adapters/admin-deps';
import { buildReportDeps } from '../../shared/adapters/report-deps';
import { resumeDueOrganizations } from '../../shared/use-cases/admin/directory-admin';
import type {
  AdminConfig,
  IntakeConfig,
  LeadPageConfig,
  ReportsConfig,
  RepublishConfig,
  RoutingConfig,
} from '../../shared/config';
import {
  AdminConfigSchema,
  IntakeConfigSchema,
  LeadPageConfigSchema,
  loadConfig,
  ReportsConfigSchema,
  RepublishConfigSchema,
  RoutingConfigSchema,
} from '../../shared/config';
import {
  ContactConfirmationsConfigSchema,
  ContactConfirmPageConfigSchema,
  MailFeedbackConfigSchema,
} from '../../shared/config';
import { SES_FEEDBACK_DETAIL_TYPES, SES_SOURCE } from '../../shared/domain/mail-feedback';
import { OrganizationSchema } from '../../shared/domain/organization';
import type { DueResult } from '../../shared/use-cases/check-due-reports';
import type { ContactConfirmationsResult } from '../../shared/use-cases/contact-confirmations';
import type { SheetResult } from '../../shared/use-cases/report-refusal';
import { adminKeyMatches } from './admin-key';
import { ApiRouter } from './api-router';
import { asFunction as as } from './function-scope';
import { serveApi, urlOf } from './api-server';
import { DailyJobs } from './daily-jobs';
import { InboundMailFolder } from './inbound-mail-folder';
import type { RetryPolicy } from './local-event-bus';
import { LocalEventBus } from './local-event-bus';
import { InFlight } from './in-flight';
import { reportSendOnBus, type ReportSendRun } from './report-send-units';
import { close, closeAll, createBucket, createTables, listen, localSecret } from './stand-in-setup';

/** s3rver checks the key id, not the signature; dynalite and the SES stand-in check neither. */
export const LOCAL_CREDENTIALS: LocalCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const REGION = 'us-east-2';

export interface LocalStackOptions {
  /** API port; 0 picks a free one. */
  readonly apiPort: number;
  /** SES stand-in port (its web view of sent mail); 0 picks a free one. */
  readonly sesPort: number;
  /** Where dynalite keeps data between runs (and the inbound mail folder); undefined keeps it in memory. */
  readonly dataDir?: string;
  readonly retry: RetryPolicy;
  /** How often the sweeper runs; 0 disables the timer (tests run it on demand). */
  readonly sweepEveryMs: number;
  /** Run the daily report jobs on their Minnesota schedule (npm start); tests call them directly. */
  readonly dailyJobs: boolean;
  readonly seedDemoDirectory: boolean;
  /** The handlers' clock; tests of 2017's calendar set it (AWS and npm start use the real one). */
  readonly clock?: () => Date;
  /** Overrides for the functions' configuration (tests shorten delays). */
  readonly env?: Record<string, string>;
}

export interface LocalStack {
  readonly apiUrl: string;
  readonly sesUrl: string;
  readonly dynamoUrl: string;
  readonly s3Url: string;
  readonly bus: LocalEventBus;
  readonly env: Record<string, string>;
  readonly config: {
    intake: IntakeConfig;
    routing: RoutingConfig;
    republish: RepublishConfig;
    reports: ReportsConfig;
    leadPage: LeadPageConfig;
    admin: AdminConfig;
  };
  readonly sweep: () => Promise<unknown>;
  /** The daily report-send job, then every unit it planned as the bus delivered it (awaited). */
  readonly sendReports: (date?: string) => Promise<ReportSendRun>;
  readonly checkDueReports: (date?: string) => Promise<DueResult>;
  /** The daily lead contact job: confirmation requests due that day, unconfirmed contacts flagged. */
  readonly checkContactConfirmations: (date?: string) => Promise<ContactConfirmationsResult>;
  /** The daily auto-resume of suspended organizations whose resume date has come. */
  readonly resumeOrganizations: (date: string) => Promise<string[]>;
  /** The admin API's key on this stack (the x-pal-admin-key header). */
  readonly adminKey: string;
  /** Ingest results, in the order files arrived (what the bus's ingest target returned). */
  readonly ingested: SheetResult[][];
  stop(): Promise<void>;
}

export const TABLE_NAMES: Record<TableRole, string> = {
  referrals: 'pal-referrals',
  directory: 'pal-directory',
  consumerHistory: 'pal-consumer-history',
  reports: 'pal-reports',
  audit: 'pal-audit',
};
export const REPORTS_BUCKET = 'pal-reports-local';

/**
 * Starts the whole system on embedded stand-ins: dynalite (DynamoDB), s3rver (S3),
 * aws-ses-v2-local (SES) and an in-process EventBridge. The handlers are the Lambda handlers,
 * built from the same config schemas; only the endpoints point here.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const closers: (() => Promise<void>)[] = [];
  try {
    const dataDir = options.dataDir;
    if (dataDir) mkdirSync(dataDir, { recursive: true });

    const dynamo = dynalite({
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
      ...(dataDir && { path: join(dataDir, 'dynamodb') }),
    });
    await listen(dynamo, 0);
    closers.push(() => close(dynamo));
    const dynamoUrl = `http://127.0.0.1:${(dynamo.address() as AddressInfo).port}`;

    // s3rver's files are scratch: a stale directory from a killed run breaks bucket creation.
    const s3Dir = join(dataDir ?? tmpdir(), `pal-s3-${process.pid}-${Date.now()}`);
    rmSync(s3Dir, { recursive: true, force: true });
    const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: s3Dir, resetOnClose: true });
    const s3Address = await s3.run();
    closers.push(async () => {
      await s3.close();
      rmSync(s3Dir, { recursive: true, force: true });
    });
    const s3Url = `http://127.0.0.1:${s3Address.port}`;

    const ses = await sesLocal({ host: '127.0.0.1', port: options.sesPort });
    closers.push(() => close(ses));
    const sesUrl = `http://127.0.0.1:${(ses.address() as AddressInfo).port}`;

    // Stopping waits for handlers still running before the stand-ins close (closers run last to first).
    const inFlight = new InFlight();
    closers.push(() => inFlight.drain(15_000));
    const bus = new LocalEventBus([], {
      region: REGION,
      retry: options.retry,
      inFlight,
      log: (message, fields) =>
        console.warn(JSON.stringify({ level: 'WARN', service: 'local-event-bus', message, ...fields })),
    });
    const busUrl = await bus.listen();
    closers.push(() => bus.close());

    const router = new ApiRouter();
    const api = await serveApi(router.handle, options.apiPort, '127.0.0.1', inFlight);
    closers.push(() => close(api));
    const apiUrl = urlOf(api);

    const env: Record<string, string> = {
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoUrl,
      AWS_ENDPOINT_URL_EVENTBRIDGE: busUrl,
      AWS_ENDPOINT_URL_SES: sesUrl,
      AWS_ENDPOINT_URL_S3: s3Url,
      REFERRALS_TABLE: TABLE_NAMES.referrals,
      DIRECTORY_TABLE: TABLE_NAMES.directory,
      CONSUMER_HISTORY_TABLE: TABLE_NAMES.consumerHistory,
      REPORTS_TABLE: TABLE_NAMES.reports,
      AUDIT_TABLE: TABLE_NAMES.audit,
      REPORTS_BUCKET,
      EVENT_BUS_NAME: 'pal-referrals-local',
      LEAD_SENDER: 'pal-leads@mnsure.example.org',
      REPORT_SENDER: 'pal-reports@mnsure.example.org',
      PROGRAM_CONTACT: 'assisterleads@mnsure.example.org',
      INBOUND_ADDRESS: 'pal-returns@inbound.mnsure.example.org',
      CONSUMER_KEY_SECRET: localSecret(dataDir, 'consumer-key-secret'),
      SIGNING_SECRET: localSecret(dataDir, 'signing-secret'),
      PUBLIC_API_URL: apiUrl,
      // The SES stand-in writes no Authentication-Results; on AWS this stays on.
      REQUIRE_SENDER_AUTHENTICATION: 'false',
      ...options.env,
    };
    const config = {
      leadPage: loadConfig(LeadPageConfigSchema, env),
      admin: loadConfig(AdminConfigSchema, env),
      intake: loadConfig(IntakeConfigSchema, env),
      routing: loadConfig(RoutingConfigSchema, env),
      republish: loadConfig(RepublishConfigSchema, env),
      reports: loadConfig(ReportsConfigSchema, env),
    };

    await createTables({ endpoint: dynamoUrl, region: REGION, credentials: LOCAL_CREDENTIALS }, TABLE_NAMES);
    await createBucket({ endpoint: s3Url, region: REGION, credentials: LOCAL_CREDENTIALS }, REPORTS_BUCKET);
    if (options.seedDemoDirectory) await seedDemoDirectory(config.routing, options.clock?.() ?? new Date());

    // Intake and routing.
    const clock = options.clock ?? (() => new Date());
    router.add(
      '/',
      as('intake-api', createIntakeApiHandler({ ...buildIntakeApiDeps(config.intake, LOCAL_CREDENTIALS), clock })),
    );
    const routeReferral = as(
      'route-referral',
      createRouteReferralHandler({ ...buildRouteReferralDeps(config.routing, LOCAL_CREDENTIALS), clock }),
    );
    bus.addRule({ name: 'route-referral', detailTypes: [ReferralCreated.detailType], target: routeReferral });
    const leadPage = createLeadPageHandler({ ...buildLeadPageDeps(config.leadPage, LOCAL_CREDENTIALS), clock });
    router.add('/leads', as('lead-page', leadPage));
    const sweep = as(
      'republish-referrals',
      createRepublishHandler({ ...buildRepublishDeps(config.republish, LOCAL_CREDENTIALS), clock }),
    );
    if (options.sweepEveryMs > 0) {
      const timer = setInterval(() => sweep().catch(() => undefined), options.sweepEveryMs);
      closers.push(async () => clearInterval(timer));
    }

    // Reporting: links API, the daily jobs, and ingest fed by S3 events as EventBridge would.
    const reportDeps = (service: string) => ({ ...buildReportDeps(config.reports, service, LOCAL_CREDENTIALS), clock });
    router.add('/reports', as('report-links', createReportLinksHandler(reportDeps('report-links'))));

    // Ops: the admin API (IAM on AWS; here an admin key, kept in the data folder) and the auto-resume job.
    const adminKey = localSecret(dataDir, 'admin-key');
    const adminDeps = { ...buildAdminDeps(config.admin, 'admin-api', LOCAL_CREDENTIALS), clock };
    const admin = as('admin-api', createAdminApiHandler(adminDeps));
    // The ops page, read-only and without PII, open on this machine without the key.
    router.add('/ops', async (event) =>
      event.httpMethod === 'GET'
        ? admin({
            ...event,
            path: '/admin/ops',
            requestContext: {
              ...event.requestContext,
              identity: { ...event.requestContext.identity, userArn: 'local-ops-page' },
            },
          })
        : { statusCode: 405, headers: { Allow: 'GET' }, body: '' },
    );
    router.add('/admin', async (event) =>
      adminKeyMatches(headerOf(event, 'x-pal-admin-key'), adminKey)
        ? admin({
            ...event,
            requestContext: {
              ...event.requestContext,
              identity: { ...event.requestContext.identity, userArn: 'local-admin' },
            },
          })
        : {
            statusCode: 403,
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({
              error: 'forbidden',
              issues: [
                {
                  field: 'x-pal-admin-key',
                  rule: 'admin-key',
                  message: 'must be the local admin key (.local/admin-key)',
                },
              ],
            }),
          },
    );
    const send = as('report-send', createReportSendHandler(reportDeps('report-send')));
    const sendReports = reportSendOnBus(bus, send);
    const due = as('report-due', createReportDueHandler(reportDeps('report-due')));
    const ingest = as('report-ingest', createReportIngestHandler(reportDeps('report-ingest')));
    const ingested: SheetResult[][] = [];
    bus.addRule({
      name: 'report-ingest',
      detailTypes: ['Object Created'],
      matches: (e) => e.source === 'aws.s3' && keyStartsWith(e, RETURN_PREFIXES.upload, RETURN_PREFIXES.mailAttachment),
      target: async (e) => ingested.push(await ingest(e)),
    });
    const mailIntake = as(
      'mail-intake',
      createMailIntakeHandler({ ...buildMailIntakeDeps(config.reports, LOCAL_CREDENTIALS), clock }),
    );
    bus.addRule({
      name: 'mail-intake',
      detailTypes: ['Object Created'],
      matches: (e) => e.source === 'aws.s3' && keyStartsWith(e, RETURN_PREFIXES.email),
      target: async (e) => {
        const result = await mailIntake(e);
        // A refused email never reaches report-ingest: its result is recorded here, as ingest's would be.
        if (result && result.outcome === 'refused') ingested.push([result]);
      },
    });
    s3.on(
      'event',
      (event: {
        Records: {
          eventName: string;
          eventTime: string;
          s3: { object: { key: string; size?: number; sequencer?: string } };
        }[];
      }) => {
        for (const record of event.Records) {
          if (!record.eventName.startsWith('ObjectCreated:')) continue;
          bus.put(
            'Object Created',
            'aws.s3',
            {
              bucket: { name: REPORTS_BUCKET },
              object: {
                key: record.s3.object.key,
                size: record.s3.object.size,
                ...(record.s3.object.sequencer && { sequencer: record.s3.object.sequencer }),
              },
              reason: record.eventName.split(':')[1],
            },
            new Date(record.eventTime),
          );
        }
      },
    );
    // Lead contacts: SES feedback from the bus (the SES stand-in never bounces: tests put SES's
    // events on the bus themselves), the confirmation page, and the daily confirmation job.
    const sesFeedback = as(
      'ses-feedback',
      createSesFeedbackHandler({
        ...buildMailFeedbackDeps(loadConfig(MailFeedbackConfigSchema, env), LOCAL_CREDENTIALS),
        clock,
      }),
    );
    bus.addRule({
      name: 'ses-feedback',
      detailTypes: SES_FEEDBACK_DETAIL_TYPES,
      matches: (e) => e.source === SES_SOURCE,
      target: sesFeedback,
    });
    router.add(
      '/contacts',
      as(
        'contact-confirm',
        createContactConfirmHandler({
          ...buildContactConfirmPageDeps(loadConfig(ContactConfirmPageConfigSchema, env), LOCAL_CREDENTIALS),
          clock,
        }),
      ),
    );
    const confirmations = as(
      'contact-confirmations',
      createContactConfirmationsHandler({
        ...buildContactConfirmationsDeps(loadConfig(ContactConfirmationsConfigSchema, env), LOCAL_CREDENTIALS),
        clock,
      }),
    );
    // On AWS contact-confirmations resumes suspensions; locally ops' deps do, as that function.
    const resume = as('contact-confirmations', (date: string) => resumeDueOrganizations(adminDeps, date));

    if (options.dailyJobs) {
      const jobs = new DailyJobs(
        [
          { name: 'contact-confirmations', at: '06:30', run: (date) => confirmations({ date }) },
          { name: 'report-send', at: '07:00', run: (date) => send({ date }) },
          { name: 'report-due', at: '07:15', run: (date) => due({ date }) },
          { name: 'resume-organizations', at: '00:05', run: resume },
        ],
        clock,
      );
      jobs.start();
      closers.push(async () => jobs.stop());
    }
    if (dataDir) {
      const folder = new InboundMailFolder(
        join(dataDir, 'inbound'),
        config.reports,
        LOCAL_CREDENTIALS,
        RETURN_PREFIXES.email,
      );
      folder.start();
      closers.push(async () => folder.stop());
      writeFileSync(join(dataDir, 'stack.json'), JSON.stringify({ pid: process.pid, env }, null, 2), { mode: 0o600 });
    }

    return {
      apiUrl,
      sesUrl,
      dynamoUrl,
      s3Url,
      bus,
      env,
      config,
      sweep,
      sendReports,
      checkDueReports: (date) => due(date ? { date } : {}),
      checkContactConfirmations: (date) => confirmations(date ? { date } : {}),
      resumeOrganizations: resume,
      adminKey,
      ingested,
      stop: async () => {
        // Let deliveries in flight finish first: dynalite throws, uncaught, at a request after it closed.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([bus.idle(), new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
        clearTimeout(timer);
        await closeAll(closers);
      },
    };
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
}

function headerOf(event: APIGatewayProxyEvent, name: string): string | undefined {
  return Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === name)?.[1] ?? undefined;
}

function keyStartsWith(event: EventBridgeEvent<string, unknown>, ...prefixes: string[]): boolean {
  const key = (event.detail as { object?: { key?: string } }).object?.key ?? '';
  return prefixes.some((prefix) => key.startsWith(prefix));
}

/**
 * Loads the fictional demo organizations into an empty directory (never over an edited one), their
 * lead contacts confirmed as they are loaded: a fresh `npm start` does not email every one of them a
 * "confirm your lead contact" request over the demo lead (they are asked 90 days on).
 */
async function seedDemoDirectory(config: RoutingConfig, loadedAt: Date): Promise<void> {
  const directory = new DynamoAssisterDirectory(documentClient(config, LOCAL_CREDENTIALS), config.DIRECTORY_TABLE);
  if ((await directory.list()).length > 0) return;
  for (const org of demoDirectory.organizations) {
    await directory.put(OrganizationSchema.parse({ ...org, leadContactConfirmedAt: loadedAt.toISOString() }));
  }
}
