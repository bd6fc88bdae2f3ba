import { RetryLaterError } from '../../shared/domain/errors';
import type { Organization } from '../../shared/domain/organization';
import { OrganizationSchema } from '../../shared/domain/organization';
import type { Referral } from '../../shared/domain/referral';
import { loadDefaultReportingCalendar } from '../../shared/domain/reporting-calendar';
import type { PreviousReferral } from '../../shared/domain/routing';
import { DEFAULT_ROUTING_POLICY } from '../../shared/domain/routing';
import type { DecideDeps } from '../../shared/use-cases/route-referral';
import { decide } from '../../shared/use-cases/route-referral';
import { releaseLead } from '../../shared/use-cases/release-lead';
import { InMemoryAssignmentLedger } from '../support/in-memory-assignment-ledger';

/*
 * Deciding with load counters, fast, on an in-memory ledger with the DynamoDB adapter's conditional
 * semantics (test/support/in-memory-assignment-ledger.ts). Many routings run at once and interleave
 * between reading the loads and taking a slot; capacity must hold anyway.
 */
const HENNEPIN = '27053';
const REFERRED_AT = '2026-11-18T16:00:00.000Z'; // a Wednesday
const MONDAY = '2026-11-16';
const calendar = loadDefaultReportingCalendar();

function org(organizationId: string, weeklyCapacity?: number): Organization {
  return OrganizationSchema.parse({
    organizationId,
    name: `Fictional ${organizationId}`,
    type: 'navigator',
    leadEmail: `leads@${organizationId}.example.org`,
    coverage: { kind: 'counties', counties: [HENNEPIN] },
    languages: ['en'],
    status: { state: 'active' },
    ...(weeklyCapacity !== undefined && { weeklyCapacity }),
  });
}

function referral(n: number): Referral {
  return {
    referralId: `ref_${String(n).padStart(26, 'a')}`,
    crmReferralId: `crm-${n}`,
    requestFingerprint: 'f',
    receivedAt: REFERRED_AT,
    referredAt: REFERRED_AT,
    representativeId: 'rep-1',
    consumer: {
      firstName: 'Avery',
      lastName: 'Example',
      phone: `+1612555${String(n).padStart(4, '0')}`,
      preferredContactMethod: 'phone',
      countyFips: HENNEPIN,
      countyName: 'Hennepin',
    },
    case: {
      hasActiveAccount: true,
      hasActiveApplication: false,
      determinations: [],
      helpReason: { category: 'enrollment', details: 'needs help' },
      guidanceGiven: 'referred',
    },
    consentToShare: true,
    assisterType: 'navigator',
    assisterTypeRule: 'no-determination-yet',
    status: 'received',
  } as Referral;
}

function world(organizations: Organization[], referrals: Referral[], previous?: PreviousReferral) {
  const ledger = new InMemoryAssignmentLedger(referrals);
  const deps: DecideDeps = {
    referrals: ledger,
    ledger,
    directory: { candidatesFor: async () => organizations, get: async () => undefined } as never,
    consumerHistory: { latest: async () => previous, remember: async () => undefined },
    calendar,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never,
    clock: () => new Date('2026-11-18T16:00:05.000Z'),
    consumerKeySecret: Buffer.from('test-secret'),
    policy: DEFAULT_ROUTING_POLICY,
  };
  return { ledger, deps };
}

describe('routing many referrals at once for the same organizations', () => {
  it('takes no organization past its weekly capacity; the rest are unroutable, each with its reason', async () => {
    const capacities: Record<string, number> = { 'org-a': 5, 'org-b': 7, 'org-c': 3 };
    const referrals = Array.from({ length: 60 }, (_, n) => referral(n));
    const { ledger, deps } = world(
      Object.entries(capacities).map(([id, cap]) => org(id, cap)),
      referrals,
    );

    const decided = await Promise.all(referrals.map((r) => decide(deps, r)));

    const routedTo = (id: string) => decided.filter((r) => r.routing?.organizationId === id).length;
    expect(Object.fromEntries(Object.keys(capacities).map((id) => [id, routedTo(id)]))).toEqual(capacities);
    for (const id of Object.keys(capacities)) expect(ledger.leadsInWeek(id, MONDAY)).toBe(capacities[id]);
    const unroutable = decided.filter((r) => r.status === 'unroutable');
    expect(unroutable).toHaveLength(60 - 15);
    for (const r of unroutable) {
      expect(r.routing?.reason).toBe('no-eligible-organization');
      expect(r.routing?.candidates.map((c) => c.excludedBecause)).toEqual([
        'over-capacity',
        'over-capacity',
        'over-capacity',
      ]);
    }
  });

  it('counts a referral delivered many times at once exactly once, and every delivery sees the one decision', async () => {
    const one = referral(1);
    const { ledger, deps } = world([org('org-a', 10), org('org-b', 10)], [one]);

    const decided = await Promise.all(Array.from({ length: 8 }, () => decide(deps, one)));

    expect(new Set(decided.map((r) => r.routing?.organizationId)).size).toBe(1);
    expect(new Set(decided.map((r) => r.routing?.decidedAt)).size).toBe(1);
    expect(ledger.leadsInWeek('org-a', MONDAY) + ledger.leadsInWeek('org-b', MONDAY)).toBe(1);
  });

  it('spreads leads by load: each routing reads the counters the ones before it took', async () => {
    const referrals = Array.from({ length: 9 }, (_, n) => referral(n));
    const { ledger, deps } = world([org('org-a'), org('org-b'), org('org-c')], referrals);

    for (const r of referrals) await decide(deps, r);

    const windowId = calendar.windowContaining('2026-11-18')!.id;
    expect(['org-a', 'org-b', 'org-c'].map((id) => ledger.leadsInWindow(id, windowId))).toEqual([3, 3, 3]);
  });

  it('costs one load read and one write per routing, however many leads the window holds', async () => {
    const { ledger, deps } = world([org('org-a'), org('org-b')], [referral(1)]);
    const windowId = calendar.windowContaining('2026-11-18')!.id;
    await ledger.setCounts('org-a', { windowId, window: 50_000, weeks: new Map([[MONDAY, 25_000]]) });

    await decide(deps, ledger.referral(referral(1).referralId)!);

    expect(ledger.calls).toEqual({ loadsOf: 1, assign: 1, move: 0, recordRouting: 0 });
    expect(ledger.referral(referral(1).referralId)?.routing?.organizationId).toBe('org-b');
  });

  it('sends a returning consumer back to its organization even when that one is full, and counts the lead', async () => {
    const previous = { referralId: 'ref_earlier', organizationId: 'org-a', referredAt: '2026-11-10T16:00:00.000Z' };
    const { ledger, deps } = world([org('org-a', 1), org('org-b', 5)], [referral(1), referral(2)], previous);
    await ledger.setCounts('org-a', { weeks: new Map([[MONDAY, 1]]) });

    const decided = await decide(deps, referral(1));

    expect(decided.routing).toMatchObject({ organizationId: 'org-a', reason: 'repeat-consumer' });
    expect(ledger.leadsInWeek('org-a', MONDAY)).toBe(2);
  });
});

describe('a routing whose transaction meets another on the same counters', () => {
  it('reads the loads again and retries; after a few conflicts in a row it asks for the event again', async () => {
    const { ledger, deps } = world([org('org-a', 5)], [referral(1), referral(2)]);

    ledger.conflictNext(2);
    const routed = await decide(deps, referral(1));
    ledger.conflictNext(100);
    const refused = decide(deps, referral(2));

    expect(routed.routing?.organizationId).toBe('org-a');
    await expect(refused).rejects.toBeInstanceOf(RetryLaterError);
    expect(ledger.referral(referral(2).referralId)?.routing).toBeUndefined();
    expect(ledger.leadsInWeek('org-a', MONDAY)).toBe(1);
  });
});

describe('releasing a lead (reassignment)', () => {
  it('moves its slot to the new organization once; a second move from the same state changes nothing', async () => {
    const { ledger, deps } = world([org('org-a', 2), org('org-b', 2)], [referral(1)]);
    const routed = await decide(deps, referral(1));
    const from = routed.routing!.organizationId!;
    const to = from === 'org-a' ? 'org-b' : 'org-a';
    const decision = { ...routed.routing!, organizationId: to, reassignedFrom: from };

    const moved = await releaseLead({ ledger, calendar }, routed, decision);
    const again = await releaseLead({ ledger, calendar }, routed, decision);

    expect(moved?.routing?.organizationId).toBe(to);
    expect(again).toBeUndefined();
    expect(ledger.leadsInWeek(from, MONDAY)).toBe(0);
    expect(ledger.leadsInWeek(to, MONDAY)).toBe(1);
  });
});
