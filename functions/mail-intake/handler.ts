import type { EventBridgeEvent } from 'aws-lambda';
import { ObjectCreatedSchema, RETURN_PREFIXES } from '../../shared/api/jobs';
import { decodeObjectKey } from '../../shared/api/path-segment';
import type { LocalCredentials } from '../../shared/adapters/aws-clients';
import { documentClient, eventBridgeClient, s3Client } from '../../shared/adapters/aws-clients';
import { atColdStart } from '../../shared/adapters/cold-start';
import { DynamoAssisterDirectory } from '../../shared/adapters/dynamo-directory.adapter';
import { EmfOpsMetrics } from '../../shared/adapters/emf-metrics.adapter';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge-publisher.adapter';
import { createLogger } from '../../shared/adapters/logger';
import { S3ReportFiles } from '../../shared/adapters/s3-report-files.adapter';
import { sesMailer } from '../../shared/adapters/ses-mailer.adapter';
import type { MailIntakeConfig } from '../../shared/config';
import { loadConfig, MailIntakeConfigSchema } from '../../shared/config';
import type { MailIntakeDeps, UnpackResult } from '../../shared/use-cases/unpack-inbound-mail';
import { unpackInboundMail } from '../../shared/use-cases/unpack-inbound-mail';

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

/** On S3 "Object Created" under inbound/ (SES receiving): unpack the email's sheets for report-ingest. */
export function createMailIntakeHandler(deps: MailIntakeDeps) {
  return async function handle(event: EventBridgeEvent<string, unknown>): Promise<UnpackResult | undefined> {
    const parsed = ObjectCreatedSchema.safeParse(event);
    if (!parsed.success) {
      deps.log.error('Not an S3 Object Created event', { detailType: event['detail-type'], eventId: event.id });
      throw new Error('mail-intake received an event that is not an S3 Object Created');
    }
    const key = decodeObjectKey(parsed.data.detail.object.key);
    if (key === undefined) {
      // Not a key S3 would send: retrying cannot mend it.
      deps.log.warn('Object key with a malformed percent-escape ignored', { eventId: event.id });
      return undefined;
    }
    if (!key.startsWith(RETURN_PREFIXES.email)) {
      deps.log.warn('Object outside the inbound prefix ignored', { key });
      return undefined;
    }
    return unpackInboundMail(deps, {
      source: 'email',
      key,
      receivedAt: new Date(Date.parse(parsed.data.time)).toISOString(),
    });
  };
}

const ready = atColdStart(() =>
  createMailIntakeHandler(buildMailIntakeDeps(loadConfig(MailIntakeConfigSchema, process.env))),
);

export const handler = async (event: EventBridgeEvent<string, unknown>): Promise<UnpackResult | undefined> =>
  (await ready())(event);
