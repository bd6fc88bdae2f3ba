import type { Log } from '../ports/logger.port';
import type { ReceiveReferralDeps } from './receive-referral';
import { publishCreated } from './receive-referral';

export interface RepublishOptions {
  /** Leave referrals younger than this to intake's own publish, so the two do not race. */
  readonly graceMs: number;
  readonly batchSize: number;
}

export interface RepublishResult {
  readonly found: number;
  readonly published: number;
}

/** The sweeper: publishes `Referral Created` for referrals stored without it (docs/architecture.md, flow 1). */
export async function republishReferrals(
  deps: ReceiveReferralDeps & { log: Log },
  options: RepublishOptions,
): Promise<RepublishResult> {
  const before = new Date(deps.clock().getTime() - options.graceMs).toISOString();
  const pending = await deps.referrals.listUnpublished(before, options.batchSize);
  let published = 0;
  for (const referral of pending) {
    if (await publishCreated(deps, referral)) published++;
  }
  if (pending.length > 0) deps.log.info('Unpublished referrals swept', { found: pending.length, published });
  return { found: pending.length, published };
}
