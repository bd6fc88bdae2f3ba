import type { MailFeedbackConfig, RoutingConfig } from '../config';
import { MailFeedbackConfigSchema, RoutingConfigSchema } from '../config';
import { loadDefaultReportingCalendar } from '../domain/reporting-calendar';
import type { MailFeedbackDeps } from '../use-cases/handle-mail-feedback';
import type { RouteReferralDeps } from '../use-cases/route-referral';
import type { LocalCredentials } from '../adapters/aws-clients';
import { documentClient, eventBridgeClient } from '../adapters/aws-clients';
import { DynamoAuditLog } from '../adapters/dynamo-audit-log.adapter';
import { DynamoAssignmentLedger } from '../adapters/dynamo-assignment-ledger.adapter';
import { DynamoAssisterDirectory } from '../adapters/dynamo-directory.adapter';
import { DynamoConsumerHistory } from '../adapters/dynamo-consumer-history.adapter';
import { DynamoReferralStore } from '../adapters/dynamo-referral-store.adapter';
import { EventBridgePublisher } from '../adapters/eventbridge-publisher.adapter';
import { createLogger } from '../adapters/logger';
import { sesMailer } from '../adapters/ses-mailer.adapter';
import { wiring } from './wiring';

/** Routing's adapters, built once per container from its validated config (route-referral, ses-feedback, admin). */
export function buildRouteReferralDeps(config: RoutingConfig, credentials?: LocalCredentials): RouteReferralDeps {
  const doc = documentClient(config, credentials);
  const store = new DynamoReferralStore(doc, config.REFERRALS_TABLE);
  return {
    referrals: store,
    ledger: new DynamoAssignmentLedger(doc, config.REFERRALS_TABLE, config.DIRECTORY_TABLE),
    directory: new DynamoAssisterDirectory(doc, config.DIRECTORY_TABLE),
    consumerHistory: new DynamoConsumerHistory(doc, config.CONSUMER_HISTORY_TABLE),
    events: new EventBridgePublisher(eventBridgeClient(config, credentials), config.EVENT_BUS_NAME),
    mailer: sesMailer(config, config.LEAD_SENDER, credentials, {
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

/** ses-feedback: routing's adapters (it re-routes a failing contact's lead) and the audit. */
export function buildMailFeedbackDeps(config: MailFeedbackConfig, credentials?: LocalCredentials): MailFeedbackDeps {
  return {
    ...buildRouteReferralDeps(config, credentials),
    audit: new DynamoAuditLog(documentClient(config, credentials), config.AUDIT_TABLE),
    log: createLogger('ses-feedback'),
  };
}

export const routeReferralWiring = wiring(RoutingConfigSchema, buildRouteReferralDeps);
export const sesFeedbackWiring = wiring(MailFeedbackConfigSchema, buildMailFeedbackDeps);
