import type { IntakeConfig, RepublishConfig } from '../config';
import { IntakeConfigSchema, RepublishConfigSchema } from '../config';
import type { ReceiveReferralDeps } from '../use-cases/receive-referral';
import type { RepublishOptions } from '../use-cases/republish-referrals';
import type { LocalCredentials } from '../adapters/aws-clients';
import { documentClient, eventBridgeClient } from '../adapters/aws-clients';
import { DynamoReferralStore } from '../adapters/dynamo-referral-store.adapter';
import { EventBridgePublisher } from '../adapters/eventbridge-publisher.adapter';
import { createLogger } from '../adapters/logger';
import { wiring } from './wiring';

export type IntakeApiDeps = ReceiveReferralDeps;

export function buildIntakeApiDeps(config: IntakeConfig, credentials?: LocalCredentials): IntakeApiDeps {
  return {
    referrals: new DynamoReferralStore(documentClient(config, credentials), config.REFERRALS_TABLE),
    events: new EventBridgePublisher(eventBridgeClient(config, credentials), config.EVENT_BUS_NAME),
    log: createLogger('intake-api'),
    clock: () => new Date(),
  };
}

export type RepublishDeps = ReceiveReferralDeps & { options: RepublishOptions };

export function buildRepublishDeps(config: RepublishConfig, credentials?: LocalCredentials): RepublishDeps {
  return {
    referrals: new DynamoReferralStore(documentClient(config, credentials), config.REFERRALS_TABLE),
    events: new EventBridgePublisher(eventBridgeClient(config, credentials), config.EVENT_BUS_NAME),
    log: createLogger('republish-referrals'),
    clock: () => new Date(),
    options: { graceMs: config.REPUBLISH_GRACE_SECONDS * 1000, batchSize: config.REPUBLISH_BATCH_SIZE },
  };
}

export const intakeApiWiring = wiring(IntakeConfigSchema, buildIntakeApiDeps);
export const republishWiring = wiring(RepublishConfigSchema, buildRepublishDeps);
