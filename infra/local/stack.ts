import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import demoDirectory from '../../config/demo-directory.json';
import { RETURN_PREFIXES } from '../../shared/api/jobs';
import type { LocalCredentials } from '../../shared/adapters/aws-clients';
import { documentClient } from '../../shared/adapters/aws-clients';
import { DynamoAssisterDirectory } from '../../shared/adapters/dynamo-directory.adapter';
import type { TableRole } from '../../shared/adapters/dynamo-tables';
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
import { OrganizationSchema } from '../../shared/domain/organization';
import type { DueResult } from '../../shared/use-cases/check-due-reports';
import type { ContactConfirmationsResult } from '../../shared/use-cases/contact-confirmations';
import type { SheetResult } from '../../shared/use-cases/report-refusal';
import { adminFrontDoors } from './admin-front-door';
import { ApiRouter } from './api-router';
import { asFunction } from './function-scope';
import { serveApi, urlOf } from './api-server';
import { DailyJobs } from './daily-jobs';
import { InboundMailFolder } from './inbound-mail-folder';
import { buildLocalFunctions } from './local-functions';
import { connectTriggers } from './local-triggers';
import type { RetryPolicy } from './local-event-bus';
import { LocalEventBus } from './local-event-bus';
import { InFlight } from './in-flight';
import { reportSendRuns, type ReportSendRun } from './report-send-units';
import { close, closeAll, createBucket, createTables, localSecret } from './stand-in-setup';
import { forwardObjectCreated, startStandIns } from './stand-ins';

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
  /** The daily report-send job, then every report it planned as report-build built it (awaited). */
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
 * built by the same deps builders from the same config schemas (the function manifest,
 * infra/functions.ts, names them and their triggers); only the endpoints point here.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const closers: (() => Promise<void>)[] = [];
  try {
    const dataDir = options.dataDir;
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    const { dynamoUrl, s3Url, sesUrl, s3 } = await startStandIns({ dataDir, sesPort: options.sesPort }, closers);

    // Stopping waits for handlers still running before the stand-ins close (closers run last to first).
    const inFlight = new InFlight();
    closers.push(() => inFlight.drain(15_000));
    const bus = new LocalEventBus([], {
      region: REGION,
      retry: options.retry,
      inFlight,
      // All targets share this process's CPU: a few deliveries at a time per rule finish in order (see the bus).
      maxConcurrentDeliveries: 4,
      log: (message, fields) =>
        console.warn(JSON.stringify({ level: 'WARN', service: 'local-event-bus', message, ...fields })),
    });
    const busUrl = await bus.listen();
    closers.push(() => bus.close());

    const router = new ApiRouter();
    const api = await serveApi(router.handle, options.apiPort, '127.0.0.1', inFlight);
    closers.push(() => close(api));
    const apiUrl = urlOf(api);

    const env = localEnvironment({ dynamoUrl, busUrl, sesUrl, s3Url, apiUrl, dataDir, overrides: options.env });
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

    const clock = options.clock ?? (() => new Date());
    const { handlers, deps } = buildLocalFunctions(env, LOCAL_CREDENTIALS, clock);
    // The admin API: IAM on AWS; here an admin key, kept in the data folder.
    const adminKey = localSecret(dataDir, 'admin-key');
    const doors = adminFrontDoors(handlers['admin-api'], adminKey);
    router.add('/ops', doors.ops);
    // Ingest results, in arrival order; a refused email never reaches report-ingest, so it is recorded as ingest's would be.
    const ingested: SheetResult[][] = [];
    const reportSend = reportSendRuns(handlers, bus);
    const schedules = connectTriggers(handlers, {
      router,
      bus,
      apiFronts: { 'admin-api': doors.admin },
      ruleTargets: {
        'report-build': reportSend.buildTarget,
        'report-ingest': async (e) => ingested.push(await handlers['report-ingest'](e)),
        'mail-intake': async (e) => {
          const result = await handlers['mail-intake'](e);
          if (result && result.outcome === 'refused') ingested.push([result]);
        },
      },
    });
    forwardObjectCreated(s3, bus, REPORTS_BUCKET);

    // Jobs on a rate (the sweeper): every sweepEveryMs here, so tests can run them on demand instead.
    for (const job of options.sweepEveryMs > 0 ? schedules.periodic : []) {
      const timer = setInterval(() => job.run().catch(() => undefined), options.sweepEveryMs);
      closers.push(async () => clearInterval(timer));
    }
    // On AWS contact-confirmations resumes suspensions; locally ops' deps do, as that function.
    const resume = asFunction('contact-confirmations', (date: string) =>
      resumeDueOrganizations(deps['admin-api'], date),
    );
    if (options.dailyJobs) {
      const jobs = new DailyJobs(
        [{ name: 'resume-organizations', at: '00:05', run: resume }, ...schedules.daily],
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

    const sweep = handlers['republish-referrals'];
    const due = handlers['report-due'];
    const confirmations = handlers['contact-confirmations'];
    return {
      apiUrl,
      sesUrl,
      dynamoUrl,
      s3Url,
      bus,
      env,
      config,
      sweep,
      sendReports: reportSend.run,
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

/** The functions' environment on this stack: the stand-ins' endpoints and the names AWS would give. */
function localEnvironment(at: {
  dynamoUrl: string;
  busUrl: string;
  sesUrl: string;
  s3Url: string;
  apiUrl: string;
  dataDir: string | undefined;
  overrides: Record<string, string> | undefined;
}): Record<string, string> {
  return {
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL_DYNAMODB: at.dynamoUrl,
    AWS_ENDPOINT_URL_EVENTBRIDGE: at.busUrl,
    AWS_ENDPOINT_URL_SES: at.sesUrl,
    AWS_ENDPOINT_URL_S3: at.s3Url,
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
    CONSUMER_KEY_SECRET: localSecret(at.dataDir, 'consumer-key-secret'),
    SIGNING_SECRET: localSecret(at.dataDir, 'signing-secret'),
    PUBLIC_API_URL: at.apiUrl,
    // The SES stand-in writes no Authentication-Results; on AWS this stays on.
    REQUIRE_SENDER_AUTHENTICATION: 'false',
    ...at.overrides,
  };
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
