import type { MailIntakeConfig } from '../config';
import { MailIntakeConfigSchema } from '../config';
import type { MailIntakeDeps } from '../use-cases/unpack-inbound-mail';
import type { LocalCredentials } from '../adapters/aws-clients';
import { documentClient, eventBridgeClient, s3Client } from '../adapters/aws-clients';
import { DynamoAssisterDirectory } from '../adapters/dynamo-directory.adapter';
import { EmfOpsMetrics } from '../adapters/emf-metrics.adapter';
import { EventBridgePublisher } from '../adapters/eventbridge-publisher.adapter';
import { createLogger } from '../adapters/logger';
import { S3ReportFiles } from '../adapters/s3-report-files.adapter';
import { sesMailer } from '../adapters/ses-mailer.adapter';
import { wiring } from './wiring';

/** mail-intake: the bucket, the directory (who may send sheets), the report sender for refusals. */
export function buildMailIntakeDeps(config: MailIntakeConfig, credentials?: LocalCredentials): MailIntakeDeps {
  return {
    files: new S3ReportFiles(s3Client(config, credentials), config.REPORTS_BUCKET),
    directory: new DynamoAssisterDirectory(documentClient(config, credentials), config.DIRECTORY_TABLE),
    mailer: sesMailer(config, config.REPORT_SENDER, credentials),
    events: new EventBridgePublisher(eventBridgeClient(config, credentials), config.EVENT_BUS_NAME),
    log: createLogger('mail-intake'),
    metrics: new EmfOpsMetrics(config.POWERTOOLS_METRICS_NAMESPACE, 'mail-intake'),
    clock: () => new Date(),
    programContact: config.PROGRAM_CONTACT,
    requireSenderAuthentication: config.REQUIRE_SENDER_AUTHENTICATION === 'true',
  };
}
export const mailIntakeWiring = wiring(MailIntakeConfigSchema, buildMailIntakeDeps);
