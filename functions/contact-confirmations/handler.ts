import type { LocalCredentials } from '../../shared/adapters/aws-clients';
import { documentClient, eventBridgeClient } from '../../shared/adapters/aws-clients';
import { atColdStart } from '../../shared/adapters/cold-start';
import { DynamoAuditLog } from '../../shared/adapters/dynamo-audit-log.adapter';
import { DynamoAssisterDirectory } from '../../shared/adapters/dynamo-directory.adapter';
import { EmfOpsMetrics } from '../../shared/adapters/emf-metrics.adapter';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge-publisher.adapter';
import { createLogger } from '../../shared/adapters/logger';
import { withSecrets } from '../../shared/adapters/secrets';
import { sesMailer } from '../../shared/adapters/ses-mailer.adapter';
import type { ContactConfirmationsConfig } from '../../shared/config';
import { ContactConfirmationsConfigSchema, loadConfig } from '../../shared/config';
import { JobInputSchema } from '../../shared/api/jobs';
import { minnesotaDateOf } from '../../shared/domain/minnesota-time';
import type {
  ContactConfirmationsDeps,
  ContactConfirmationsResult,
} from '../../shared/use-cases/contact-confirmations';
import { resumeDueOrganizations } from '../../shared/use-cases/admin/directory-admin';
import { checkContactConfirmations } from '../../shared/use-cases/contact-confirmations';

const SERVICE = 'contact-confirmations';

export function buildContactConfirmationsDeps(
  config: ContactConfirmationsConfig,
  credentials?: LocalCredentials,
): ContactConfirmationsDeps {
  const doc = documentClient(config, credentials);
  return {
    directory: new DynamoAssisterDirectory(doc, config.DIRECTORY_TABLE),
    audit: new DynamoAuditLog(doc, config.AUDIT_TABLE),
    mailer: sesMailer(config, config.LEAD_SENDER, credentials),
    events: new EventBridgePublisher(eventBridgeClient(config, credentials), config.EVENT_BUS_NAME),
    metrics: new EmfOpsMetrics(config.POWERTOOLS_METRICS_NAMESPACE, SERVICE),
    log: createLogger(SERVICE),
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

/**
 * The daily directory upkeep (EventBridge Scheduler, 06:30 America/Chicago): organizations whose
 * suspension ends today resume (before anything else, so they are asked and routed like the others);
 * then contacts due are asked to confirm, and the overdue ones flagged.
 */
export function createContactConfirmationsHandler(deps: ContactConfirmationsDeps) {
  return async function handle(input: unknown): Promise<ContactConfirmationsResult & { resumed: string[] }> {
    const { date } = JobInputSchema.parse(input ?? {});
    const today = date ?? minnesotaDateOf(deps.clock());
    const resumed = await resumeDueOrganizations(deps, today);
    return { ...(await checkContactConfirmations(deps, today)), resumed };
  };
}

const ready = atColdStart(async () =>
  createContactConfirmationsHandler(
    buildContactConfirmationsDeps(
      loadConfig(ContactConfirmationsConfigSchema, await withSecrets(process.env, ['SIGNING_SECRET'])),
    ),
  ),
);

export const handler = async (input: unknown): Promise<ContactConfirmationsResult & { resumed: string[] }> =>
  (await ready())(input);
