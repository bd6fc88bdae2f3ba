import { NotFoundError } from '../../domain/errors';
import type { Referral } from '../../domain/referral';
import type { AuditEntry, AuditLog } from '../../ports/audit-log.port';
import type { ReferralStore } from '../../ports/referral-store.port';

/**
 * A referral as ops see it: status, routing decision with every candidate, the lead emails, the
 * organization's reported outcome, and its history (reassignments, lead views). Ops may see the
 * consumer's details (the admin API is IAM-only); they never go to logs.
 */
export interface ReferralDossier {
  readonly referral: Referral;
  readonly history: AuditEntry[];
}

export async function showReferral(
  deps: { referrals: Pick<ReferralStore, 'get'>; audit: AuditLog },
  referralId: string,
): Promise<ReferralDossier> {
  const referral = await deps.referrals.get(referralId);
  if (!referral) throw new NotFoundError(`Referral ${referralId} does not exist`);
  return { referral, history: await deps.audit.list(`referral#${referralId}`) };
}
