import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalStack } from '../../../infra/local/stack';
import type { Organization } from '../../../shared/domain/organization';
import { OrganizationSchema } from '../../../shared/domain/organization';
import { referralIdFor } from '../../../shared/domain/referral';
import { storesOf } from './directory';

/** OE5's first window (Nov 1–15 2017): sent Nov 22. */
export const FANOUT_WINDOW = '2017-11-01_2017-11-15';
export const FANOUT_SEND_DATE = '2017-11-22';

export const fanoutOrganizationId = (i: number) => `fanout-org-${String(i).padStart(4, '0')}`;

/**
 * A directory of `organizations` navigators, each with `rows` referrals routed to it in the window,
 * written straight to the tables (BatchWrite, as the routing would have left them): the report send is
 * what is measured, not intake. Fictional people, example.org addresses.
 */
export async function seedReportingWindow(
  stack: Pick<LocalStack, 'config' | 'dynamoUrl'>,
  organizations: number,
  rows: number,
): Promise<void> {
  const { doc, directory } = storesOf(stack);
  for (let o = 0; o < organizations; o++) {
    const organizationId = fanoutOrganizationId(o);
    await directory.put(
      OrganizationSchema.parse({
        organizationId,
        name: `Fan-out Navigators ${o}`,
        type: 'navigator',
        leadEmail: `leads@${organizationId}.example.org`,
        coverage: { kind: 'counties', counties: ['27053'] },
        languages: ['en'],
        status: { state: 'active' },
      } satisfies Organization),
    );
  }
  const items = function* () {
    for (let o = 0; o < organizations; o++) {
      for (let r = 0; r < rows; r++) yield referralItem(fanoutOrganizationId(o), r);
    }
  };
  let batch: Record<string, unknown>[] = [];
  const flush = async () => {
    let pending = batch.map((Item) => ({ PutRequest: { Item } }));
    batch = [];
    while (pending.length > 0) {
      const out = await doc.send(
        new BatchWriteCommand({ RequestItems: { [stack.config.reports.REFERRALS_TABLE]: pending } }),
      );
      pending = (out.UnprocessedItems?.[stack.config.reports.REFERRALS_TABLE] ?? []) as typeof pending;
    }
  };
  for (const item of items()) {
    batch.push(item);
    if (batch.length === 25) await flush();
  }
  if (batch.length > 0) await flush();
}

/** A referral as routing stores it once its lead is emailed, with the byOrganization index attribute. */
function referralItem(organizationId: string, r: number): Record<string, unknown> {
  const day = String(1 + (r % 15)).padStart(2, '0');
  const referredAt = `2017-11-${day}T16:${String(Math.floor(r / 15) % 60).padStart(2, '0')}:00.000Z`;
  return {
    referralId: referralIdFor(`CRM-FANOUT-${organizationId}-${r}`),
    crmReferralId: `CRM-FANOUT-${organizationId}-${r}`,
    requestFingerprint: 'fanout',
    receivedAt: referredAt,
    referredAt,
    representativeId: 'rep-fanout',
    consumer: {
      firstName: 'Avery',
      lastName: `Example${r}`,
      phone: '+16125550100',
      preferredContactMethod: 'phone',
      countyFips: '27053',
      countyName: 'Hennepin',
    },
    case: {
      hasActiveAccount: true,
      hasActiveApplication: false,
      determinations: [],
      helpReason: { category: 'enrollment', details: 'needs help applying' },
      guidanceGiven: 'referred to a navigator',
    },
    consentToShare: true,
    assisterType: 'navigator',
    assisterTypeRule: 'no-application',
    status: 'emailed',
    routing: { organizationId, decidedAt: referredAt },
    assignedOrganizationId: organizationId,
    referredOn: `2017-11-${day}`,
    countyFips: '27053',
  };
}
