import type { EventBridgeEvent } from 'aws-lambda';
import { atColdStart } from '../../shared/wiring/cold-start';
import { sesFeedbackWiring } from '../../shared/wiring/routing';
import { depsFromEnvironment } from '../../shared/wiring/wiring';
import { readMailFeedback, SesFeedbackEventSchema } from '../../shared/domain/mail-feedback';
import type { MailFeedbackDeps, MailFeedbackResult } from '../../shared/use-cases/handle-mail-feedback';
import { handleMailFeedback } from '../../shared/use-cases/handle-mail-feedback';

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

const ready = atColdStart(async () => createSesFeedbackHandler(await depsFromEnvironment(sesFeedbackWiring)));

export const handler = async (event: EventBridgeEvent<string, unknown>): Promise<MailFeedbackResult> =>
  (await ready())(event);
