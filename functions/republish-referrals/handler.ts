import type { LocalCredentials } from '../../shared/adapters/aws-clients';
import { atColdStart } from '../../shared/adapters/cold-start';
import { documentClient, eventBridgeClient } from '../../shared/adapters/aws-clients';
import { DynamoReferralStore } from '../../shared/adapters/dynamo-referral-store.adapter';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge-publisher.adapter';
import { createLogger } from '../../shared/adapters/logger';
import type { RepublishConfig } from '../../shared/config';
import { loadConfig, RepublishConfigSchema } from '../../shared/config';
import type { ReceiveReferralDeps } from '../../shared/use-cases/receive-referral';
import type { RepublishOptions, RepublishResult } from '../../shared/use-cases/republish-referrals';
import { republishReferrals } from '../../shared/use-cases/republish-referrals';

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

/** The sweeper, on a schedule: a run that could not publish everything fails, so its error alarm fires. */
export function createRepublishHandler(deps: RepublishDeps) {
  return async function handle(): Promise<RepublishResult> {
    const result = await republishReferrals(deps, deps.options);
    if (result.published < result.found) {
      throw new Error(`${result.found - result.published} of ${result.found} referrals are still unpublished`);
    }
    return result;
  };
}

const ready = atColdStart(() =>
  createRepublishHandler(buildRepublishDeps(loadConfig(RepublishConfigSchema, process.env))),
);

export const handler = async (): Promise<RepublishResult> => (await ready())();
