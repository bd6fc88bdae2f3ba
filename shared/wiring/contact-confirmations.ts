import type { ContactConfirmationsConfig } from '../config';
import { ContactConfirmationsConfigSchema } from '../config';
import type { ContactConfirmationsDeps } from '../use-cases/contact-confirmations';
import type { LocalCredentials } from '../adapters/aws-clients';
import { documentClient, eventBridgeClient } from '../adapters/aws-clients';
import { DynamoAuditLog } from '../adapters/dynamo-audit-log.adapter';
import { DynamoAssisterDirectory } from '../adapters/dynamo-directory.adapter';
import { EmfOpsMetrics } from '../adapters/emf-metrics.adapter';
import { EventBridgePublisher } from '../adapters/eventbridge-publisher.adapter';
import { createLogger } from '../adapters/logger';
import { sesMailer } from '../adapters/ses-mailer.adapter';
import { wiring } from './wiring';

/** contact-confirmations: the daily job that asks lead contacts to confirm and flags the unconfirmed. */
export function buildContactConfirmationsDeps(
  config: ContactConfirmationsConfig,
  credentials?: LocalCredentials,
): ContactConfirmationsDeps {
  const doc = documentClient(config, credentials);
  const service = 'contact-confirmations';
  return {
    directory: new DynamoAssisterDirectory(doc, config.DIRECTORY_TABLE),
    audit: new DynamoAuditLog(doc, config.AUDIT_TABLE),
    mailer: sesMailer(config, config.LEAD_SENDER, credentials),
    events: new EventBridgePublisher(eventBridgeClient(config, credentials), config.EVENT_BUS_NAME),
    metrics: new EmfOpsMetrics(config.POWERTOOLS_METRICS_NAMESPACE, service),
    log: createLogger(service),
    clock: () => new Date(),
    policy: {
      everyDays: config.CONTACT_CONFIRM_EVERY_DAYS,
      linkDays: config.CONTACT_CONFIRM_LINK_DAYS,
      flagAfterDays: config.CONTACT_UNCONFIRMED_AFTER_DAYS,
    },
    publicApiUrl: config.PUBLIC_API_URL.replace(/\/+$/, ''),
    signingSecret: Buffer.from(config.SIGNING_SECRET, 'utf8'),
    programContact: config.PROGRAM_CONTACT,
  };
}

export const contactConfirmationsWiring = wiring(ContactConfirmationsConfigSchema, buildContactConfirmationsDeps);
