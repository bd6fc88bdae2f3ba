import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalStack } from '../../infra/local/stack';
import { demoOrganizations, seedDirectory, storesOf } from './support/directory';
import { postJson, sentEmails, settle, startTestStack } from './support/local-stack';
import { referralBody } from './support/referrals';
import { SeededRandom, testSeed } from './support/seeded-random';

/*
 * A burst of 500 referrals posted by 20 concurrent clients that randomly retry (and sometimes retry
 * with a changed body): each referral stored once and emailed once; changed bodies get 409.
 *
 * Each client takes the next referral and POSTs it; a tenth of the first POSTs go out twice at once
 * (a CRM that timed out and retried while the first request was still in flight); then 0–2 retries
 * follow, a third of them with one field changed. Which referral does what comes from a seeded PRNG:
 * the seed is printed, and PAL_TEST_SEED=<seed> repeats the run exactly.
 *
 * The demo directory is loaded with its weekly capacities, which the burst passes in some counties:
 * no organization may end past its capacity, and every referral ends emailed (once) or unroutable
 * with its reason (no eligible organization), never in between.
 */
const REFERRALS = 500;
const CLIENTS = 20;

type Json = Record<string, unknown>;

interface Plan {
  readonly index: number;
  readonly body: Json;
  readonly race: boolean;
  readonly retries: readonly { readonly body: Json; readonly changed: boolean; readonly delayMs: number }[];
}

/** One field changed, as a CRM that edited the referral before retrying would send it. */
function changedBody(body: Json, rng: SeededRandom, index: number): Json {
  const consumer = body.consumer as Json;
  const facts = body.case as Json;
  switch (rng.int(0, 3)) {
    case 0:
      return { ...body, representativeId: `rep-changed-${index}` };
    case 1:
      return { ...body, case: { ...facts, guidanceGiven: `${String(facts.guidanceGiven)} (edited)` } };
    case 2:
      return { ...body, consumer: { ...consumer, firstName: 'Changed' } };
    default:
      return { ...body, referredAt: new Date(Date.now() - 60 * 60 * 1000).toISOString() };
  }
}

function plans(rng: SeededRandom): Plan[] {
  // One county per navigator organization, so the load spreads as it does across the state.
  const counties = [
    'Hennepin',
    'Stearns',
    'St. Louis',
    'Clay',
    'Scott',
    'Olmsted',
    'Blue Earth',
    'Lyon',
    'Pine',
    'Beltrami',
    'Douglas',
  ];
  return Array.from({ length: REFERRALS }, (_, index) => {
    const body = referralBody({
      consumer: {
        county: counties[index % counties.length],
        zip: undefined,
        // A distinct consumer each: repeat-consumer routing is not what this test is about.
        phone: `(763) 8${String(Math.floor(index / 10_000)).padStart(2, '0')}-${String(index % 10_000).padStart(4, '0')}`,
        email: `burst-${index}@example.org`,
      },
    });
    const retries = Array.from({ length: rng.int(0, 2) }, () => {
      const changed = rng.chance(1 / 3);
      return {
        body: changed ? changedBody(body, rng, index) : structuredClone(body),
        changed,
        delayMs: rng.int(0, 20),
      };
    });
    return { index, body, race: rng.chance(0.1), retries };
  });
}

let stack: LocalStack;

beforeAll(async () => {
  // EventBridge-like patience: under a 500-referral burst on a shared machine a delivery may wait on
  // another's claim for seconds; the default test policy (4 quick attempts) would dead-letter it.
  stack = await startTestStack({
    seedDemoDirectory: false,
    retry: { maxAttempts: 20, maxEventAgeMs: 300_000, baseDelayMs: 100, maxDelayMs: 2000 },
  });
  await seedDirectory(stack, demoOrganizations());
}, 30_000);
afterAll(() => stack.stop());

describe('a burst of 500 referrals from 20 concurrent clients that retry at random', () => {
  it('stores each referral once, emails each routed one once, keeps every capacity, and answers changed retries 409', async () => {
    const rng = new SeededRandom(testSeed('burst'));
    const work = plans(rng);
    const problems: string[] = [];
    const referralIds = new Map<number, string>();
    const answers = { created: 0, sameRetries: 0, changedRetries: 0, races: 0 };

    const post = async (body: Json) => {
      const res = await postJson(`${stack.apiUrl}/referrals`, body);
      const json = (await res.json()) as { referralId?: string; issues?: { field: string; rule: string }[] };
      return { status: res.status, json };
    };

    const run = async (plan: Plan) => {
      const label = `referral #${plan.index} (${String(plan.body.crmReferralId)})`;
      let referralId: string | undefined;
      if (plan.race) {
        answers.races++;
        const pair = await Promise.all([post(plan.body), post(structuredClone(plan.body))]);
        const statuses = pair.map((p) => p.status).sort();
        if (statuses.join() !== '200,201') problems.push(`${label}: racing POSTs answered ${statuses.join()}`);
        if (pair[0].json.referralId !== pair[1].json.referralId) problems.push(`${label}: racing POSTs differ`);
        referralId = pair[0].json.referralId;
      } else {
        const first = await post(plan.body);
        if (first.status !== 201) problems.push(`${label}: first POST answered ${first.status}`);
        referralId = first.json.referralId;
      }
      if (!referralId) return problems.push(`${label}: no referralId`);
      referralIds.set(plan.index, referralId);
      answers.created++;

      for (const retry of plan.retries) {
        await new Promise((resolve) => setTimeout(resolve, retry.delayMs));
        const again = await post(retry.body);
        const expected = retry.changed ? 409 : 200;
        if (again.status !== expected) problems.push(`${label}: retry answered ${again.status}, not ${expected}`);
        if (again.json.referralId !== referralId) problems.push(`${label}: retry named ${again.json.referralId}`);
        if (retry.changed) {
          answers.changedRetries++;
          if (again.json.issues?.[0]?.rule !== 'same-body-on-retry') problems.push(`${label}: 409 without its rule`);
        } else {
          answers.sameRetries++;
        }
      }
    };

    // Act: 20 clients, each taking the next referral until none is left.
    let next = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < work.length) await run(work[next++]!);
      }),
    );
    await settle(stack);

    // Assess: every answer as the contract says, the random plan exercised each kind of retry.
    expect(problems).toEqual([]);
    expect(answers.created).toBe(REFERRALS);
    expect(answers.races).toBeGreaterThan(0);
    expect(answers.sameRetries).toBeGreaterThan(0);
    expect(answers.changedRetries).toBeGreaterThan(0);
    const ids = work.map((plan) => referralIds.get(plan.index)!);
    expect(new Set(ids).size).toBe(REFERRALS);

    // Every referral routed or unroutable with its reason; no organization past its weekly capacity.
    const { doc, referrals } = storesOf(stack);
    const stored = await Promise.all(ids.map((id) => referrals.get(id)));
    const routed = new Set(ids.filter((_, i) => stored[i]?.routing?.outcome === 'routed'));
    const unroutable = stored.filter((r) => r?.status === 'unroutable');
    expect(unroutable.filter((r) => r?.routing?.reason !== 'no-eligible-organization')).toEqual([]);
    expect(routed.size + unroutable.length).toBe(REFERRALS);
    const leads = new Map<string, number>();
    for (const r of stored) {
      const org = r?.routing?.organizationId;
      if (org) leads.set(org, (leads.get(org) ?? 0) + 1);
    }
    const overCapacity = demoOrganizations()
      .filter((org) => org.weeklyCapacity !== undefined && (leads.get(org.organizationId) ?? 0) > org.weeklyCapacity)
      .map((org) => `${org.organizationId}: ${leads.get(org.organizationId)} of ${org.weeklyCapacity}`);
    expect(overCapacity).toEqual([]);
    // The burst reaches some capacities, so the rule above is exercised, not vacuous.
    const full = demoOrganizations().filter((org) => leads.get(org.organizationId) === org.weeklyCapacity);
    expect(full.length).toBeGreaterThan(0);

    // Exactly one email per routed referral, none for an unroutable one.
    const emails = await sentEmails(stack);
    const perReferral = new Map<string, number>();
    for (const email of emails) {
      const id = /ref_[a-z2-7]{26}/.exec(email.subject)?.[0] ?? '(none)';
      perReferral.set(id, (perReferral.get(id) ?? 0) + 1);
    }
    // A referral without the emails it should have is shown with what the system recorded about it.
    const wrongEmails = await Promise.all(
      ids
        .filter((id) => (perReferral.get(id) ?? 0) !== (routed.has(id) ? 1 : 0))
        .map(async (id) => {
          const referral = await referrals.get(id);
          return {
            id,
            emails: perReferral.get(id) ?? 0,
            status: referral?.status,
            routing: referral?.routing?.outcome,
            lead: referral?.lead,
            deadLetters: stack.bus.deadLetters
              .filter((letter) => JSON.stringify(letter.event.detail).includes(id))
              .map(({ rule, attempts, errorName }) => ({ rule, attempts, errorName })),
          };
        }),
    );
    expect(wrongEmails).toEqual([]);
    expect(emails).toHaveLength(routed.size);

    // Exactly one record per referral, as first posted (a changed retry overwrote nothing), emailed if routed.
    const wrong = work.filter((plan, i) => {
      const referral = stored[i];
      return (
        !referral ||
        referral.crmReferralId !== plan.body.crmReferralId ||
        referral.representativeId !== plan.body.representativeId ||
        referral.consumer.firstName !== (plan.body.consumer as Json).firstName ||
        (referral.status === 'unroutable'
          ? referral.lead !== undefined
          : referral.status !== 'emailed' || referral.lead?.state !== 'sent')
      );
    });
    expect(wrong.map((plan) => plan.index)).toEqual([]);
    // Nothing else in the table (a Scan, in the test only: no request path scans).
    const count = await doc.send(
      new ScanCommand({ TableName: stack.config.routing.REFERRALS_TABLE, Select: 'COUNT', ConsistentRead: true }),
    );
    expect(count.Count).toBe(REFERRALS);
    expect(stack.bus.deadLetters).toEqual([]);
  }, 300_000); // about 45 s on CI; on a machine this loaded it can take two minutes
});
