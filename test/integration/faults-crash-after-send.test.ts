import type { EventBridgeEvent } from 'aws-lambda';
import type { LocalStack } from '../../infra/local/stack';
import type { DynamoReferralStore } from '../../shared/adapters/dynamo-referral-store.adapter';
import { seedDirectory, storesOf } from './support/directory';
import type { DynamoRequest } from './support/dynamo-fault-proxy';
import { DynamoFaultProxy, isUpdate, keyString, sdkAttempts, valueOf } from './support/dynamo-fault-proxy';
import { clearEmails, postJson, sentEmails, settle, startTestStack } from './support/local-stack';
import { referralBody } from './support/referrals';

/*
 * A crash after SES accepted the lead email but before the referral was marked emailed, then the
 * event delivered again: no second email.
 *
 * How the design guarantees it (README "Delivery guarantees", route-referral.ts):
 * 1. Before sending, the handler takes a claim on the referral: a conditional write that sets the
 *    lead to `sending`, with `claimExpiresAt` = claim time + LEAD_CLAIM_TTL_HOURS (25 h; config
 *    refuses less than 24 h). Only one delivery can win it.
 * 2. A delivery that finds `sent` does nothing; one that finds a live `sending` claim throws, so
 *    EventBridge comes back later. EventBridge stops retrying an event after 24 h (its maximum
 *    event age), so while any retry of the event can still arrive, the claim is live and every such
 *    retry is turned away: the email is never sent a second time.
 * 3. A delivery that finds an expired `sending` claim (only a manual replay can arrive that late)
 *    does not send either: it marks the lead `in-doubt` and publishes `Lead Email Failed` with
 *    retryable: false, for ops to check with the organization. At most once, never twice.
 *
 * The crash is made real with a proxy in front of dynalite that answers the UpdateItem setting the
 * lead to `sent` with HTTP 500 until the SDK gives up: that write never happens, as if the Lambda
 * died right after SES accepted the email. The handlers' clock is moved to pass the claim's expiry.
 */
let stack: LocalStack;
let referrals: DynamoReferralStore;
const dynamo = new DynamoFaultProxy();
const started = new Date();
let now = started;
const HOUR = 60 * 60 * 1000;

const marksLeadSent = (request: DynamoRequest): boolean =>
  isUpdate(request, '#lead.#state = :state') && (valueOf(request, ':state') as { S?: string })?.S === 'sent';

beforeAll(async () => {
  const proxyUrl = await dynamo.listen();
  stack = await startTestStack({
    clock: () => now,
    seedDemoDirectory: false,
    env: { AWS_ENDPOINT_URL_DYNAMODB: proxyUrl },
  });
  dynamo.target = stack.dynamoUrl;
  await seedDirectory(stack);
  referrals = storesOf(stack).referrals;
}, 30_000);
afterAll(async () => {
  await stack.stop();
  await dynamo.close();
});
beforeEach(() => clearEmails(stack));

function createdEventOf(referralId: string): EventBridgeEvent<string, unknown> {
  const event = stack.bus.published.find(
    (e) =>
      e['detail-type'] === 'Referral Created' &&
      (e.detail as { data: { referralId: string } }).data.referralId === referralId,
  );
  if (!event) throw new Error(`no Referral Created for ${referralId}`);
  return event;
}

async function emailsFor(referralId: string) {
  return (await sentEmails(stack)).filter((e) => e.subject.includes(referralId));
}

describe('a crash after SES accepted the lead email, before the referral was marked emailed', () => {
  it('sends one email, turns away every redelivery while the claim lives, then marks the lead in doubt', async () => {
    // Prepare: the write that marks the lead sent fails, every SDK attempt of it (and more, were there more).
    dynamo.failMatching(marksLeadSent, 2 * (await sdkAttempts(stack)));

    // Act: the CRM posts; routing claims, SES accepts, marking it sent "crashes".
    const res = await postJson(`${stack.apiUrl}/referrals`, referralBody());
    expect(res.status).toBe(201);
    const { referralId } = (await res.json()) as { referralId: string };
    await settle(stack);
    dynamo.clear();

    // Assess: the crash really happened where intended.
    // The SDK retried the 500 until it gave up, and nothing else tried to mark the lead sent.
    expect(dynamo.failed).toBe(await sdkAttempts(stack));
    expect(dynamo.count((r) => marksLeadSent(r) && keyString(r, 'referralId') === referralId)).toBe(dynamo.failed);
    expect(await emailsFor(referralId)).toHaveLength(1);
    const crashed = await referrals.get(referralId);
    expect(crashed?.status).toBe('routed');
    expect(crashed?.lead).toMatchObject({ state: 'sending', attempts: 1 });
    const claimMs = Date.parse(crashed!.lead!.claimExpiresAt) - Date.parse(crashed!.lead!.claimedAt);
    expect(claimMs).toBeGreaterThanOrEqual(24 * HOUR); // outlives EventBridge's 24 h of retries
    // Every retry the bus made meanwhile found the live claim and was turned away.
    const retried = stack.bus.deadLetters.filter(
      (d) => (d.event.detail as { data: { referralId: string } }).data.referralId === referralId,
    );
    expect(retried).toEqual([expect.objectContaining({ rule: 'route-referral', errorName: 'RetryLaterError' })]);

    // EventBridge delivers the event again, now and just before its 24 h retry window closes.
    const event = createdEventOf(referralId);
    for (const hoursLater of [0, 1, 23.9]) {
      now = new Date(started.getTime() + hoursLater * HOUR);
      stack.bus.redeliver(event);
      stack.bus.redeliver(event);
      await settle(stack);
      expect(await emailsFor(referralId)).toHaveLength(1);
      expect((await referrals.get(referralId))?.lead?.state).toBe('sending');
    }

    // A replay after the claim expired (26 h on): not sent again, but marked in doubt for ops.
    now = new Date(started.getTime() + 26 * HOUR);
    const publishedBefore = stack.bus.published.length;
    stack.bus.redeliver(event);
    await settle(stack);

    expect(await emailsFor(referralId)).toHaveLength(1);
    const judged = await referrals.get(referralId);
    expect(judged?.status).toBe('email-failed');
    expect(judged?.lead).toMatchObject({ state: 'in-doubt', lastErrorCode: 'ClaimExpired' });
    const failed = stack.bus.published
      .slice(publishedBefore)
      .filter((e) => e['detail-type'] === 'Lead Email Failed')
      .map((e) => (e.detail as { data: Record<string, unknown> }).data);
    expect(failed).toEqual([
      expect.objectContaining({ referralId, retryable: false, errorCode: 'DeliveryInDoubt', attempts: 1 }),
    ]);
    const view = (await (await fetch(`${stack.apiUrl}/referrals/${referralId}`)).json()) as {
      status: string;
      lead: { state: string };
    };
    expect(view).toMatchObject({ status: 'email-failed', lead: { state: 'in-doubt' } });

    // And later replays change nothing and send nothing.
    stack.bus.redeliver(event);
    await settle(stack);
    expect(await emailsFor(referralId)).toHaveLength(1);
    expect((await referrals.get(referralId))?.lead?.state).toBe('in-doubt');
  }, 30_000);
});
