import type { EventBridgeEvent } from 'aws-lambda';
import type { LocalCredentials } from '../../shared/adapters/aws-clients';
import { documentClient } from '../../shared/adapters/aws-clients';
import { atColdStart } from '../../shared/adapters/cold-start';
import { DynamoAuditLog } from '../../shared/adapters/dynamo-audit-log.adapter';
import { createLogger } from '../../shared/adapters/logger';
import { withSecrets } from '../../shared/adapters/secrets';
import type { MailFeedbackConfig } from '../../shared/config';
import { loadConfig, MailFeedbackConfigSchema } from '../../shared/config';
import { readMailFeedback, SesFeedbackEventSchema } from '../../shared/domain/mail-feedback';
import type { MailFeedbackDeps, MailFeedbackResult } from '../../shared/use-cases/handle-mail-feedback';
import { handleMailFeedback } from '../../shared/use-cases/handle-mail-feedback';
import { buildRouteReferralDeps } from '../../shared/adapters/routing-deps';

export function buildMailFeedbackDeps(config: MailFeedbackConfig, credentials?: LocalCredentials): MailFeedbackDeps {
  return {
    ...buildRouteReferralDeps(config, credentials),
    audit: new DynamoAuditLog(documentClient(config, credentials), config.AUDIT_TABLE),
    log: createLogger('ses-feedback'),
  };
}

/**
 * On SES's `Email Bounced` and `Email Complaint Received` (a configuration set's EventBridge
 * destination): mark the organization's lead contact failing and re-route its undelivered lead.
 * Any throw makes EventBridge retry the event, then dead-letter it; an event of a shape we do not
 * know is thrown too, so it ends in the dead-letter queue for ops rather than vanishing.
 */
export function createSesFeedbackHandler(deps: MailFeedbackDeps) {
  return async function handle(event: EventBridgeEvent<string, unknown>): Promise<MailFeedbackResult> {
    const parsed = SesFeedbackEventSchema.safeParse(event);
    if (!parsed.success) {
      deps.log.error('Not an SES bounce or complaint event', { detailType: event['detail-type'], eventId: event.id });
      throw new Error('ses-feedback received an event that is not a valid SES bounce or complaint');
    }
    const feedback = readMailFeedback(parsed.data.detail, parsed.data.time);
    try {
      return await handleMailFeedback(deps, feedback);
    } catch (error) {
      deps.log.warn('Mail feedback not handled; EventBridge will retry', {
        messageId: feedback.messageId,
        errorName: error instanceof Error ? error.name : 'unknown',
      });
      throw error;
    }
  };
}

const ready = atColdStart(async () =>
  createSesFeedbackHandler(
    buildMailFeedbackDeps(
      loadConfig(MailFeedbackConfigSchema, await withSecrets(process.env, ['CONSUMER_KEY_SECRET', 'SIGNING_SECRET'])),
    ),
  ),
);

export const handler = async (event: EventBridgeEvent<string, unknown>): Promise<MailFeedbackResult> =>
  (await ready())(event);
