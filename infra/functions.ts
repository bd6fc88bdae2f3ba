/**
 * The function manifest: every Lambda of the back end, one entry each, and the one place a new one
 * is wired (docs/function-manifest.md, "Adding a function"). It drives the CDK function constructs,
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
import { EVENT_CATALOG, ReferralCreated, ReportBuildRequested } from '../events/catalog';
import { createAdminApiHandler } from '../functions/admin-api/handler';
import { createContactConfirmHandler } from '../functions/contact-confirm/handler';
import { createContactConfirmationsHandler } from '../functions/contact-confirmations/handler';
import { createIntakeApiHandler } from '../functions/intake-api/handler';
import { createLeadPageHandler } from '../functions/lead-page/handler';
import { createMailIntakeHandler } from '../functions/mail-intake/handler';
import { createReportBuildHandler } from '../functions/report-build/handler';
import { createReportDueHandler } from '../functions/report-due/handler';
import { createReportIngestHandler } from '../functions/report-ingest/handler';
import { createReportLinksHandler } from '../functions/report-links/handler';
import { createReportSendHandler } from '../functions/report-send/handler';
import { createRepublishHandler } from '../functions/republish-referrals/handler';
import { createRouteReferralHandler } from '../functions/route-referral/handler';
import { createSesFeedbackHandler } from '../functions/ses-feedback/handler';
import { RETURN_PREFIXES } from '../shared/api/jobs';
import { adminApiWiring } from '../shared/wiring/admin';
import { contactConfirmationsWiring } from '../shared/wiring/contact-confirmations';
import { contactConfirmWiring } from '../shared/wiring/contact-confirm';
import { intakeApiWiring, republishWiring } from '../shared/wiring/intake';
import { leadPageWiring } from '../shared/wiring/lead-page';
import { mailIntakeWiring } from '../shared/wiring/mail-intake';
import {
  reportBuildWiring,
  reportDueWiring,
  reportIngestWiring,
  reportLinksWiring,
  reportSendWiring,
} from '../shared/wiring/reports';
import { routeReferralWiring, sesFeedbackWiring } from '../shared/wiring/routing';
import type { BundleBudget, FunctionSpec } from './function-spec';
import { daily, define, LEAN, MB, REPORTING } from './function-spec';

export type { BundleBudget, FunctionSpec, ScheduleKey, Touches, Trigger } from './function-spec';

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
      // Directory updates only: the organizations' load counters, taken with each routing decision.
      tables: { referrals: 'readWrite', directory: 'readUpdate', consumerHistory: 'readWrite' },
      sendsFrom: ['lead'],
    },
  }),
  // The report send fans out: the daily job only plans, and each report is built by its own invocation.
  'report-send': define({
    description: 'PAL: plans the reports due out today, one Report Build Requested each',
    wiring: reportSendWiring,
    create: createReportSendHandler,
    trigger: daily('07:00', 'Daily 07:00 America/Chicago: send the reports due out today', 'reportSend'),
    timeoutSeconds: 5 * 60,
    reservedConcurrency: 1,
    bundle: REPORTING,
    // Two small reads per organization (its report, one referral), then the events.
    touches: { tables: { referrals: 'read', directory: 'read', reports: 'read' } },
  }),
  'report-build': define({
    description: 'PAL: builds, stores and emails one report (Report Build Requested)',
    wiring: reportBuildWiring,
    create: createReportBuildHandler,
    trigger: {
      kind: 'event',
      rule: 'report-build-requested',
      description: 'Report Build Requested → report-build (one report per invocation)',
      detailType: ReportBuildRequested.detailType,
    },
    memorySize: 1024,
    // One report: its rows, the sheet, the email. The claim on its email goes stale after 15 minutes.
    timeoutSeconds: 5 * 60,
    // A few reports at once (SES's send rate is the account's; the claim keeps each report's email single).
    reservedConcurrency: 4,
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
