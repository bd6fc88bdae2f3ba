import type { LocalStack } from '../../infra/local/stack';
import type { Organization } from '../../shared/domain/organization';
import { demoOrganizations, seedDirectory, storesOf } from './support/directory';
import { postJson, sentEmails, settle, startTestStack } from './support/local-stack';
import { referralBody } from './support/referrals';

/*
 * Weekly capacity is a limit, not a preference: many referrals for the same organizations, routed at
 * once on dynalite over HTTP, leave no organization past its weekly capacity, and every referral is
 * either routed (and emailed) or unroutable with its reason.
 *
 * Three Spanish-speaking navigators serve Hennepin county only (no statewide one), with 4 + 3 + 5 = 12
 * slots a week; 30 referrals arrive at once, so 18 must be turned away as over capacity.
 */
const CAPACITIES = { 'hennepin-small': 4, 'hennepin-smaller': 3, 'hennepin-medium': 5 } as const;
const REFERRALS = 30;
const SLOTS = Object.values(CAPACITIES).reduce((a, b) => a + b, 0);

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack({ seedDemoDirectory: false });
  const template = demoOrganizations().find((o) => o.organizationId === 'twin-cities-health-navigators')!;
  const organizations: Organization[] = Object.entries(CAPACITIES).map(([organizationId, weeklyCapacity]) => ({
    ...template,
    organizationId,
    name: `Navigators ${organizationId}`,
    leadEmail: `leads@${organizationId}.example.org`,
    coverage: { kind: 'counties', counties: ['27053'] },
    weeklyCapacity,
  }));
  await seedDirectory(stack, organizations);
}, 30_000);
afterAll(() => stack.stop());

describe('referrals routed at once for the same organizations', () => {
  it('take no organization past its weekly capacity, and each ends routed or unroutable with its reason', async () => {
    // Act: every referral posted at once (the bus delivers them concurrently).
    const posted = await Promise.all(
      Array.from({ length: REFERRALS }, () =>
        postJson(`${stack.apiUrl}/referrals`, referralBody({ consumer: { county: 'Hennepin', zip: undefined } })),
      ),
    );
    const ids = await Promise.all(posted.map(async (res) => ((await res.json()) as { referralId: string }).referralId));
    await settle(stack);

    // Assess: leads per organization, read from the referrals themselves.
    const { referrals } = storesOf(stack);
    const stored = await Promise.all(ids.map((id) => referrals.get(id)));
    const leads = new Map<string, number>();
    for (const r of stored) {
      const org = r?.routing?.organizationId;
      if (org) leads.set(org, (leads.get(org) ?? 0) + 1);
    }
    const overCapacity = Object.entries(CAPACITIES)
      .filter(([org, capacity]) => (leads.get(org) ?? 0) > capacity)
      .map(([org, capacity]) => `${org}: ${leads.get(org)} of ${capacity}`);
    expect(overCapacity).toEqual([]);

    // Every slot is used, and every referral has an end with its reason.
    expect(Object.fromEntries(leads)).toEqual(CAPACITIES);
    const ends = stored.map((r) => `${r?.status}/${r?.routing?.reason}`);
    expect(ends.filter((e) => e === 'emailed/county-language-match')).toHaveLength(SLOTS);
    expect(ends.filter((e) => e === 'unroutable/no-eligible-organization')).toHaveLength(REFERRALS - SLOTS);
    const turnedAway = stored.filter((r) => r?.status === 'unroutable');
    for (const r of turnedAway) {
      expect(r?.routing?.candidates.map((c) => c.excludedBecause)).toEqual([
        'over-capacity',
        'over-capacity',
        'over-capacity',
      ]);
    }
    expect(await sentEmails(stack)).toHaveLength(SLOTS);
    expect(stack.bus.deadLetters).toEqual([]);
  }, 120_000);
});
