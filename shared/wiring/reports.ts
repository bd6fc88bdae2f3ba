import { loadDefaultReportingCalendar } from '../domain/reporting-calendar';
import type { ReportsConfig } from '../config';
import { ReportsConfigSchema } from '../config';
import type { DueDeps } from '../use-cases/check-due-reports';
import type { IngestDeps } from '../use-cases/ingest-report';
import type { LocalCredentials } from '../adapters/aws-clients';
import { documentClient, eventBridgeClient, s3Client } from '../adapters/aws-clients';
import { DynamoAssisterDirectory } from '../adapters/dynamo-directory.adapter';
import { DynamoReferralStore } from '../adapters/dynamo-referral-store.adapter';
import { DynamoReportStore } from '../adapters/dynamo-report-store.adapter';
import { EmfOpsMetrics } from '../adapters/emf-metrics.adapter';
import { EventBridgePublisher } from '../adapters/eventbridge-publisher.adapter';
import { createLogger } from '../adapters/logger';
import { S3ReportFiles } from '../adapters/s3-report-files.adapter';
import { sesMailer } from '../adapters/ses-mailer.adapter';
import { wiring } from './wiring';

/** Everything the report functions use, built once per container from their validated config. */
export function buildReportDeps(
  config: ReportsConfig,
  serviceName: string,
  credentials?: LocalCredentials,
): IngestDeps & DueDeps {
  const doc = documentClient(config, credentials);
  return {
    calendar: loadDefaultReportingCalendar(),
    directory: new DynamoAssisterDirectory(doc, config.DIRECTORY_TABLE),
    referrals: new DynamoReferralStore(doc, config.REFERRALS_TABLE),
    reports: new DynamoReportStore(doc, config.REPORTS_TABLE),
    files: new S3ReportFiles(s3Client(config, credentials), config.REPORTS_BUCKET),
    mailer: sesMailer(config, config.REPORT_SENDER, credentials),
    events: new EventBridgePublisher(eventBridgeClient(config, credentials), config.EVENT_BUS_NAME),
    log: createLogger(serviceName),
    metrics: new EmfOpsMetrics(config.POWERTOOLS_METRICS_NAMESPACE, serviceName),
    clock: () => new Date(),
    links: {
      publicApiUrl: config.PUBLIC_API_URL.replace(/\/+$/, ''),
      signingSecret: Buffer.from(config.SIGNING_SECRET, 'utf8'),
      linkGraceDays: config.LINK_GRACE_DAYS,
    },
    programContact: config.PROGRAM_CONTACT,
    inboundAddress: config.INBOUND_ADDRESS,
    requireSenderAuthentication: config.REQUIRE_SENDER_AUTHENTICATION === 'true',
  };
}

/** One wiring per report function: the same adapters, each logging and measuring as its own service. */
const reportWiring = (serviceName: string) =>
  wiring(ReportsConfigSchema, (config: ReportsConfig, credentials?: LocalCredentials) =>
    buildReportDeps(config, serviceName, credentials),
  );
export const reportSendWiring = reportWiring('report-send');
export const reportDueWiring = reportWiring('report-due');
export const reportIngestWiring = reportWiring('report-ingest');
export const reportLinksWiring = reportWiring('report-links');
export const reportBuildWiring = reportWiring('report-build');
