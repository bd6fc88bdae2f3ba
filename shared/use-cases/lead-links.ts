import type { LeadDelivery } from '../domain/lead-email';
import { addDays, minnesotaDateOf, startOfMinnesotaDay } from '../domain/minnesota-time';
import type { Referral } from '../domain/referral';
import { deriveKey, issueLinkToken } from '../domain/signed-link';

export interface LeadLinkSettings {
  /** Base URL of the public links API, e.g. https://links.pal.example.org */
  readonly publicApiUrl: string;
  readonly signingSecret: Buffer;
  /** Days a lead link works, counted from the day the lead is emailed. */
  readonly linkDays: number;
}

/** The secure link of a lead: the lead page, with a token for that lead and organization only. */
export function leadLink(
  settings: LeadLinkSettings,
  referral: Pick<Referral, 'referralId'>,
  organizationId: string,
  sentAt: Date,
): Extract<LeadDelivery, { mode: 'secure-link' }> {
  const expiresOn = addDays(minnesotaDateOf(sentAt), settings.linkDays);
  const token = issueLinkToken(
    {
      scope: 'lead-view',
      subject: referral.referralId,
      organizationId,
      exp: Math.floor(startOfMinnesotaDay(addDays(expiresOn, 1)).getTime() / 1000),
    },
    deriveKey(settings.signingSecret, 'lead-page'),
  );
  return {
    mode: 'secure-link',
    url: `${settings.publicApiUrl}/leads/${encodeURIComponent(referral.referralId)}?token=${token}`,
    expiresOn,
  };
}
