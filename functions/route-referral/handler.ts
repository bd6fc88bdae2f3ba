import type { EventBridgeEvent } from 'aws-lambda';
import { ReferralCreated } from '../../events/referral-events';
import type { LocalCredentials } from '../../shared/adapters/aws-clients';
import { documentClient, eventBridgeClient, sesClient } from '../../shared/adapters/aws-clients';
import { DynamoAssisterDirectory } from '../../shared/adapters/dynamo-directory.adapter';
import { DynamoConsumerHistory } from '../../shared/adapters/dynamo-consumer-history.adapter';
import { DynamoReferralStore } from '../../shared/adapters/dynamo-referral-store.adapter';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge-publisher.adapter';
import { createLogger } from '../../shared/adapters/logger';
import { SesMailer } from '../../shared/adapters/ses-mailer.adapter';
import type { RoutingConfig } from '../../shared/config';
import { atColdStart } from '../../shared/adapters/cold-start';
import { withSecrets } from '../../shared/adapters/secrets';
import { loadConfig, RoutingConfigSchema } from '../../shared/config';
import { loadDefaultReportingCalendar } from '../../shared/domain/reporting-calendar';
import type { RouteReferralDeps, RouteReferralResult } from '../../shared/use-cases/route-referral';
import { routeReferral } from '../../shared/use-cases/route-referral';

export function buildRouteReferralDeps(config: RoutingConfig, credentials?: LocalCredentials): RouteReferralDeps {
  const doc = documentClient(config, credentials);
  const store = new DynamoReferralStore(doc, config.REFERRALS_TABLE);
  return {
    referrals: store,
    ledger: store,
    directory: new DynamoAssisterDirectory(doc, config.DIRECTORY_TABLE),
    consumerHistory: new DynamoConsumerHistory(doc, config.CONSUMER_HISTORY_TABLE),
    events: new EventBridgePublisher(eventBridgeClient(config, credentials), config.EVENT_BUS_NAME),
    mailer: new SesMailer(sesClient(config, credentials), {
      from: config.LEAD_SENDER,
      ...(config.SES_CONFIGURATION_SET && { configurationSetName: config.SES_CONFIGURATION_SET }),
      maxAttempts: config.SES_MAX_ATTEMPTS,
      baseDelayMs: config.SES_BASE_DELAY_MS,
      maxDelayMs: config.SES_MAX_DELAY_MS,
    }),
    calendar: loadDefaultReportingCalendar(),
    log: createLogger('route-referral'),
    clock: () => new Date(),
    consumerKeySecret: Buffer.from(config.CONSUMER_KEY_SECRET, 'utf8'),
    programContact: config.PROGRAM_CONTACT,
    policy: { defaultWeeklyCapacity: config.DEFAULT_WEEKLY_CAPACITY, repeatWindowDays: config.REPEAT_WINDOW_DAYS },
    leadClaimTtlMs: config.LEAD_CLAIM_TTL_HOURS * 60 * 60 * 1000,
    leadLinks: {
      publicApiUrl: config.PUBLIC_API_URL.replace(/\/+$/, ''),
      signingSecret: Buffer.from(config.SIGNING_SECRET, 'utf8'),
      linkDays: config.LEAD_LINK_DAYS,
    },
  };
}

/**
 * On `Referral Created`: route and email the lead. Any throw makes EventBridge retry the event
 * (and dead-letter it after its retry policy), which is what every failure here wants.
 */
export function createRouteReferralHandler(deps: RouteReferralDeps) {
  return async function handle(event: EventBridgeEvent<string, unknown>): Promise<RouteReferralResult> {
    const parsed = ReferralCreated.envelopeSchema.safeParse(event);
    if (!parsed.success) {
      deps.log.error('Not a Referral Created event', { detailType: event['detail-type'], eventId: event.id });
      throw new Error('route-referral received an event that is not a valid Referral Created');
    }
    const { referralId } = parsed.data.detail.data;
    try {
      return await routeReferral(deps, referralId);
    } catch (error) {
      deps.log.warn('Routing attempt failed; EventBridge will retry', {
        referralId,
        errorName: error instanceof Error ? error.name : 'unknown',
      });
      throw error;
    }
  };
}

const ready = atColdStart(async () =>
  createRouteReferralHandler(
    buildRouteReferralDeps(
      loadConfig(RoutingConfigSchema, await withSecrets(process.env, ['CONSUMER_KEY_SECRET', 'SIGNING_SECRET'])),
    ),
  ),
);

export const handler = async (event: EventBridgeEvent<string, unknown>): Promise<RouteReferralResult> =>
  (await ready())(event);
