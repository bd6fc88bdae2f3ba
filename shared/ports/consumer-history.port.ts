import type { PreviousReferral } from '../domain/routing';

/** Recent referrals by consumer key (a keyed hash of phone or email), for repeat detection. */
export interface ConsumerHistory {
  /** The most recent referral under any of the keys. */
  latest(consumerKeys: readonly string[]): Promise<PreviousReferral | undefined>;
  /** Remembers the referral under each key until `expiresAt`, unless a later one is already there. */
  remember(consumerKeys: readonly string[], referral: PreviousReferral, expiresAt: Date): Promise<void>;
}
