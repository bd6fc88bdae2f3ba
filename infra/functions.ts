/**
 * The function manifest: every Lambda of the back end, one entry each, and the one place to add a
 * fifteenth (docs/function-manifest.md, "Adding a function"). It drives the CDK function constructs,
 * their configuration and grants (infra/aws/constructs/pal-functions.construct.ts), their triggers
 * (event-triggers.construct.ts), the bundles (scripts/bundle-functions.ts), the local stack's wiring
 * (infra/local/) and the infra tests' lists.
 *
 * What an entry does not repeat, because it is known elsewhere once:
 * - its handler: always functions/<name>/handler.ts (`entryOf`), exporting `handler`;
 * - its environment: exactly the variables its configuration schema reads that the deployment
 *   provides (table names, bucket, bus, senders, secrets' ARNs, links URL), so a schema and its
 *   function's environment cannot drift apart;
 * - its secrets: the secret values its schema names (shared/wiring/wiring.ts `secretsOf`);
 * - the events it publishes: the producers in the event catalog (events/catalog.ts), which the
 *   publish grant and the deployment contract both read (`eventsPublishedBy`);
 * - sync or async: API Gateway invokes a function synchronously, every other trigger asynchronously.
 */
import type { z } from 'zod';
import { EVENT_CATALOG, ReferralCreated } from '../events/catalog';
import { createAdminApiHandler } from '../functions/admin-api/handler';
import { createContactConfirmHandler } from '../functions/contact-confirm/handler';
import { createContactConfirmationsHandler } from '../functions/contact-confirmations/handler';
import { createIntakeApiHandler } from '../functions/intake-api/handler';
import { createLeadPageHandler } from '../functions/lead-page/handler';
import { createMailIntakeHandler } from '../functions/mail-intake/handler';
import { createReportDueHandler } from '../functions/report-due/handler';
import { createReportIngestHandler } from '../functions/report-ingest/handler';
import { createReportLinksHandler } from '../functions/report-links/handler';
import { createReportSendHandler } from '../functions/report-send/handler';
import { createRepublishHandler } from '../functions/republish-referrals/handler';
import { createRouteReferralHandler } from '../functions/route-referral/handler';
import { createSesFeedbackHandler } from '../functions/ses-feedback/handler';
import type { TableRole } from '../shared/adapters/dynamo-tables';
import { RETURN_PREFIXES } from '../shared/api/jobs';
import { adminApiWiring } from '../shared/wiring/admin';
import { contactConfirmationsWiring, contactConfirmWiring } from '../shared/wiring/contacts';
import { intakeApiWiring, republishWiring } from '../shared/wiring/intake';
import { leadPageWiring } from '../shared/wiring/lead-page';
import {
  mailIntakeWiring,
  reportDueWiring,
  reportIngestWiring,
  reportLinksWiring,
  reportSendWiring,
} from '../shared/wiring/reports';
import { routeReferralWiring, sesFeedbackWiring } from '../shared/wiring/routing';
import type { Wiring } from '../shared/wiring/wiring';
import type { TableAccess } from './aws/constructs/data-tables.construct';
import type { ReportPrefix } from './aws/constructs/reports-bucket.construct';

/** What starts a function. API routes are served by the API constructs; the rest are EventBridge/Scheduler. */
export type Trigger =
  /** API Gateway (sync). `localPath`: the path prefix the local stack's router sends to it. */
  | {
      readonly kind: 'api';
      readonly api: 'intake' | 'links';
      readonly routes: readonly string[];
      readonly localPath: string;
    }
  /** A PAL event on the PAL bus (the rule's name, kebab-case; its construct id is the same in PascalCase). */
  | { readonly kind: 'event'; readonly rule: string; readonly description: string; readonly detailType: string }
  /** S3 `Object Created` in the reports bucket under one of the prefixes (default bus). */
  | {
      readonly kind: 'object-created';
      readonly rule: string;
      readonly description: string;
      readonly prefixes: readonly string[];
    }
  /** SES bounces and complaints of the configuration set (default bus). */
  | { readonly kind: 'ses-feedback'; readonly rule: string; readonly description: string }
  /** EventBridge Scheduler, America/Chicago: every so many minutes, or daily at a Minnesota wall-clock time. */
  | {
      readonly kind: 'schedule';
      readonly schedule: ScheduleKey;
      readonly description: string;
      readonly at: { readonly everyMinutes: number } | { readonly daily: `${number}:${number}` };
      /** Delivery: attempts and the age after which Scheduler gives up (then the dead-letter queue). */
      readonly retryAttempts: number;
      readonly maxEventAgeMinutes: number;
    };

export type ScheduleKey = 'sweep' | 'contactConfirmations' | 'reportSend' | 'reportDue';

/** What a function may touch beyond its configuration: each becomes a grant, nothing more. */
export interface Touches {
  /** r = read, rw = read/write, append = PutItem only, readAppend = read + PutItem. */
  readonly tables: Partial<Record<TableRole, TableAccess>>;
  /** Prefixes of the reports bucket it reads or writes objects under. */
  readonly bucket?: { readonly reads?: readonly ReportPrefix[]; readonly writes?: readonly ReportPrefix[] };
  /** The verified senders it may send from (SES FromAddress); a function that sends runs outside the VPC. */
  readonly sendsFrom?: readonly ('lead' | 'report')[];
}

/** A bundle's budget (scripts/check-bundles.ts): minified bytes of index.mjs, and packages it must not carry. */
export interface BundleBudget {
  readonly maxBytes: number;
  readonly forbidden: readonly string[];
}
const KB = 1000;
const MB = 1000 * KB;
/** The budgets: intake and routing ≤ 400 KB without exceljs; report and ingest ≤ 1.5 MB. */
const LEAN: BundleBudget = { maxBytes: 400 * KB, forbidden: ['exceljs', 'mailparser'] };
const REPORTING: BundleBudget = { maxBytes: 1.5 * MB, forbidden: [] };

export interface FunctionSpec<S extends z.ZodObject = z.ZodObject, D = never, H = unknown> {
  readonly description: string;
  /** Its configuration schema and deps builder (shared/wiring/), the same on Lambda and locally. */
  readonly wiring: Wiring<S, D>;
  /** Its handler's factory (`create…Handler(deps)` in functions/<name>/handler.ts). */
  readonly create: (deps: D) => H;
  readonly trigger: Trigger;
  /** MB. @default 512 */
  readonly memorySize?: number;
  readonly timeoutSeconds: number;
  /** Reserved (and capped) when the deployment reserves concurrency (context reservedConcurrency). */
  readonly reservedConcurrency: number;
  readonly touches: Touches;
  /** @default lean: 400 KB, neither exceljs nor mailparser (a function on a request path). */
  readonly bundle?: BundleBudget;
}

const define = <S extends z.ZodObject, D, H>(spec: FunctionSpec<S, D, H>) => spec;
const daily = (at: `${number}:${number}`, description: string, schedule: ScheduleKey): Trigger => ({
  kind: 'schedule',
  schedule,
  description,
  at: { daily: at },
  // Daily jobs: retried until early afternoon of the same Minnesota day, never into the next.
  retryAttempts: 20,
  maxEventAgeMinutes: 6 * 60,
});

export const FUNCTIONS = {
  'intake-api': define({
    description: 'PAL: intake API (POST /referrals, GET /referrals/{id})',
    wiring: intakeApiWiring,
    create: createIntakeApiHandler,
    trigger: {
      kind: 'api',
      api: 'intake',
      routes: ['POST /referrals', 'GET /referrals/{referralId}', 'GET /openapi.json'],
      localPath: '/',
    },
    timeoutSeconds: 10,
    reservedConcurrency: 20,
    touches: { tables: { referrals: 'readWrite' } },
  }),
  'republish-referrals': define({
    description: 'PAL: re-publishes unpublished referrals',
    wiring: republishWiring,
    create: createRepublishHandler,
    trigger: {
      kind: 'schedule',
      schedule: 'sweep',
      description: 'Every 5 minutes: re-publish unpublished referrals',
      at: { everyMinutes: 5 },
      // A sweep that cannot be delivered within 4 minutes is overtaken by the next one.
      retryAttempts: 3,
      maxEventAgeMinutes: 4,
    },
    memorySize: 256,
    timeoutSeconds: 60,
    // One sweep at a time: two would race to publish the same referrals.
    reservedConcurrency: 1,
    touches: { tables: { referrals: 'readWrite' } },
  }),
  'route-referral': define({
    description: 'PAL: routes a referral and emails the lead',
    wiring: routeReferralWiring,
    create: createRouteReferralHandler,
    trigger: {
      kind: 'event',
      rule: 'referral-created',
      description: 'Referral Created → route-referral',
      detailType: ReferralCreated.detailType,
    },
    // SES refusals are retried in the function with backoff (up to ~30 s).
    timeoutSeconds: 60,
    reservedConcurrency: 10,
    touches: {
      tables: { referrals: 'readWrite', directory: 'read', consumerHistory: 'readWrite' },
      sendsFrom: ['lead'],
    },
  }),
  'report-send': define({
    description: 'PAL: builds and emails the reports due out today',
    wiring: reportSendWiring,
    create: createReportSendHandler,
    trigger: daily('07:00', 'Daily 07:00 America/Chicago: send the reports due out today', 'reportSend'),
    memorySize: 1024,
    timeoutSeconds: 10 * 60,
    reservedConcurrency: 1,
    bundle: REPORTING,
    touches: {
      tables: { referrals: 'read', directory: 'read', reports: 'readWrite' },
      bucket: { writes: ['generated'] },
      sendsFrom: ['report'],
    },
  }),
  'report-due': define({
    description: 'PAL: reminders, overdue marks and the OverdueReports metric',
    wiring: reportDueWiring,
    create: createReportDueHandler,
    trigger: daily('07:15', 'Daily 07:15 America/Chicago: reminders, overdue marks, OverdueReports', 'reportDue'),
    timeoutSeconds: 2 * 60,
    reservedConcurrency: 1,
    bundle: REPORTING,
    touches: { tables: { directory: 'read', reports: 'readWrite' }, sendsFrom: ['report'] },
  }),
  'report-ingest': define({
    description: 'PAL: ingests returned report sheets (upload or email)',
    wiring: reportIngestWiring,
    create: createReportIngestHandler,
    trigger: {
      kind: 'object-created',
      rule: 'returned-sheet',
      description: "A returned sheet (an upload, or an email's attachment) in the reports bucket → report-ingest",
      prefixes: [RETURN_PREFIXES.upload, RETURN_PREFIXES.mailAttachment],
    },
    memorySize: 1024,
    timeoutSeconds: 2 * 60,
    reservedConcurrency: 5,
    bundle: { maxBytes: 1.5 * MB, forbidden: ['mailparser'] },
    touches: {
      tables: { referrals: 'readWrite', directory: 'read', reports: 'readWrite' },
      bucket: { reads: ['returned', 'received'] },
      sendsFrom: ['report'],
    },
  }),
  // Inbound email: the MIME parser lives here alone, apart from the sheet reader (bundle budgets).
  'mail-intake': define({
    description: 'PAL: unpacks the sheets attached to inbound email for report-ingest',
    wiring: mailIntakeWiring,
    create: createMailIntakeHandler,
    trigger: {
      kind: 'object-created',
      rule: 'inbound-mail',
      description: 'An email stored by SES receiving in the reports bucket → mail-intake',
      prefixes: [RETURN_PREFIXES.email],
    },
    memorySize: 512,
    timeoutSeconds: 60,
    reservedConcurrency: 5,
    // Inbound email only: the MIME parser and its charset tables (~0.8 MB), no spreadsheet library.
    bundle: { maxBytes: 2 * MB, forbidden: ['exceljs'] },
    touches: {
      tables: { directory: 'read' },
      bucket: { reads: ['inbound'], writes: ['received'] },
      sendsFrom: ['report'],
    },
  }),
  'report-links': define({
    description: 'PAL: report download and upload links (public)',
    wiring: reportLinksWiring,
    create: createReportLinksHandler,
    trigger: {
      kind: 'api',
      api: 'links',
      routes: ['GET /reports/{reportId}/download|upload|uploaded'],
      localPath: '/reports',
    },
    timeoutSeconds: 10,
    reservedConcurrency: 10,
    // It signs presigned URLs with its own role: the download of reports/ and the upload to returned/.
    bundle: REPORTING,
    touches: { tables: { reports: 'read' }, bucket: { reads: ['generated'], writes: ['returned'] } },
  }),
  'lead-page': define({
    description: 'PAL: the secure lead page behind the link in lead emails (public)',
    wiring: leadPageWiring,
    create: createLeadPageHandler,
    trigger: { kind: 'api', api: 'links', routes: ['GET|POST /leads/{referralId}'], localPath: '/leads' },
    timeoutSeconds: 10,
    reservedConcurrency: 10,
    // Every view is recorded in the audit table, which it may only add to.
    touches: { tables: { referrals: 'read', directory: 'read', audit: 'append' } },
  }),
  // Lead contacts: bounces and complaints, and the periodic confirmation of each contact.
  'ses-feedback': define({
    description: 'PAL: bounces and complaints mark a lead contact failing and re-route',
    wiring: sesFeedbackWiring,
    create: createSesFeedbackHandler,
    trigger: {
      kind: 'ses-feedback',
      rule: 'mail-feedback',
      description: 'SES bounces and complaints of the PAL configuration set → ses-feedback',
    },
    timeoutSeconds: 60,
    reservedConcurrency: 5,
    touches: { tables: { referrals: 'readWrite', directory: 'readWrite', audit: 'append' }, sendsFrom: ['lead'] },
  }),
  'contact-confirmations': define({
    description:
      'PAL: daily directory upkeep: resumes suspensions that end today, asks contacts to confirm, flags the unconfirmed',
    wiring: contactConfirmationsWiring,
    create: createContactConfirmationsHandler,
    trigger: daily(
      '06:30',
      'Daily 06:30 America/Chicago: resume suspensions that end today, ask lead contacts to confirm, flag the unconfirmed',
      'contactConfirmations',
    ),
    timeoutSeconds: 5 * 60,
    reservedConcurrency: 1,
    touches: { tables: { directory: 'readWrite', audit: 'readAppend' }, sendsFrom: ['lead'] },
  }),
  'contact-confirm': define({
    description: 'PAL: the page a contact confirmation link opens (public)',
    wiring: contactConfirmWiring,
    create: createContactConfirmHandler,
    trigger: {
      kind: 'api',
      api: 'links',
      routes: ['GET|POST /contacts/{organizationId}/confirm'],
      localPath: '/contacts',
    },
    timeoutSeconds: 10,
    reservedConcurrency: 5,
    touches: { tables: { directory: 'readWrite', audit: 'append' } },
  }),
  // Ops: the admin API (IAM-authorized routes under /admin of the intake API).
  'admin-api': define({
    description: 'PAL: admin API of the PAL point of contact (IAM)',
    wiring: adminApiWiring,
    create: createAdminApiHandler,
    trigger: { kind: 'api', api: 'intake', routes: ['ANY /admin/{proxy+}'], localPath: '/admin' },
    memorySize: 1024,
    timeoutSeconds: 29,
    reservedConcurrency: 5,
    // Ops only (no consumer waits on its cold start): spreadsheets and the county atlas of the coverage map.
    bundle: { maxBytes: 2.5 * MB, forbidden: ['mailparser'] },
    touches: {
      tables: { referrals: 'readWrite', directory: 'readWrite', reports: 'readWrite', audit: 'readAppend' },
      bucket: { reads: ['generated'], writes: ['generated'] },
      sendsFrom: ['lead', 'report'],
    },
  }),
} as const;

export type FunctionName = keyof typeof FUNCTIONS;
/** Every function, in the manifest's order. */
export const FUNCTION_NAMES = Object.keys(FUNCTIONS) as FunctionName[];
/** The handler a function's trigger calls, with its own types (the local stack calls them). */
export type HandlerOf<N extends FunctionName> = ReturnType<(typeof FUNCTIONS)[N]['create']>;

/** A manifest entry with its types erased, for code that treats every function alike. */
export type AnyFunctionSpec = FunctionSpec<z.ZodObject, never, unknown>;
export function specOf(name: FunctionName): AnyFunctionSpec {
  return FUNCTIONS[name] as unknown as AnyFunctionSpec;
}

export function bundleBudgetOf(name: FunctionName): BundleBudget {
  return specOf(name).bundle ?? LEAN;
}

/** The handler module of a function, relative to the repository root. */
export function entryOf(name: FunctionName): string {
  return `functions/${name}/handler.ts`;
}

/** 'intake-api' → 'IntakeApi': construct ids (kept as they were, so a deployed stack is not replaced). */
export function constructIdOf(kebabName: string): string {
  return kebabName.replace(/(^|-)([a-z])/g, (_, _dash: string, c: string) => c.toUpperCase());
}

/** API Gateway invokes its functions synchronously (the caller gets the error); every other trigger asynchronously. */
export function invocationOf(name: FunctionName): 'sync' | 'async' {
  return specOf(name).trigger.kind === 'api' ? 'sync' : 'async';
}

/** Functions that send email (their roles may ses:SendEmail); infra/aws/constructs/function-placement.ts says why they run outside the VPC. */
export function sendsEmail(name: FunctionName): boolean {
  return (specOf(name).touches.sendsFrom ?? []).length > 0;
}

/** The detail-types a function publishes: the event catalog's producers, the one list (events/catalog.ts). */
export function eventsPublishedBy(name: FunctionName): string[] {
  return EVENT_CATALOG.filter((entry) => entry.producer.split(/,\s*/).includes(name)).map((e) => e.event.detailType);
}

/** The environment variables a function's configuration schema reads. */
export function configKeysOf(name: FunctionName): string[] {
  return Object.keys(specOf(name).wiring.config.shape);
}
