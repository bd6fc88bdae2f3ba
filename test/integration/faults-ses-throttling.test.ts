import type { LocalStack } from '../../infra/local/stack';
import type { DynamoReferralStore } from '../../shared/adapters/dynamo-referral-store.adapter';
import { storesOf } from './support/directory';
import { postJson, sentEmails, settle, startTestStack } from './support/local-stack';
import { referralBody } from './support/referrals';
import { SesFaultProxy } from './support/ses-fault-proxy';

/*
 * SES throttling at twice the allowed rate: every lead delivered exactly once.
 *
 * SES's sending limit cannot run here (the SES stand-in accepts everything), so it is the one thing
 * mocked: a proxy in front of the stand-in lets through N SendEmail requests a second (a token
 * bucket, as SES's maximum send rate works) and answers the rest as SES does, HTTP 400 Throttling
 * "Maximum sending rate exceeded". The CRM posts referrals at 2N a second. Whether that pace outruns
 * the bucket depends on how fast this shared machine lets the pipeline send, so each lead email's
 * first attempt is also refused: every lead must be retried to be delivered, on any machine.
 *
 * The retry budgets are EventBridge's and the mailer's, scaled down so the test takes seconds: on
 * AWS EventBridge retries for 24 h (185 attempts); here 30 attempts within 2 minutes.
 */
const RATE = 10; // SES's maximum send rate in this test, emails a second
const REFERRALS = 40;

/** SES's maximum send rate: a bucket of RATE tokens, refilled at RATE a second. */
class TokenBucket {
  private tokens = RATE;
  private last = performance.now();
  accepted = 0;

  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(RATE, this.tokens + ((now - this.last) / 1000) * RATE);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    this.accepted++;
    return true;
  }
}

let stack: LocalStack;
let referrals: DynamoReferralStore;
const ses = new SesFaultProxy();

beforeAll(async () => {
  const proxyUrl = await ses.listen();
  stack = await startTestStack({
    retry: { maxAttempts: 30, maxEventAgeMs: 120_000, baseDelayMs: 100, maxDelayMs: 1000 },
    env: { AWS_ENDPOINT_URL_SES: proxyUrl, SES_MAX_ATTEMPTS: '4', SES_BASE_DELAY_MS: '50', SES_MAX_DELAY_MS: '400' },
  });
  ses.target = stack.sesUrl;
  referrals = storesOf(stack).referrals;
}, 30_000);
afterAll(async () => {
  await stack.stop();
  await ses.close();
});

describe('SES throttling at twice the allowed send rate', () => {
  it('delivers every lead exactly once, and every referral ends emailed', async () => {
    const bucket = new TokenBucket();
    // Each lead email's first attempt is refused, as the part of a burst over the rate is: so the
    // refusals happen however fast this shared machine lets the pipeline send; past that, the bucket.
    const refusedOnce = new Set<string>();
    ses.throttle = (_n, body) => {
      const subject = /Message\.Subject\.Data=([^&]*)/.exec(body)?.[1] ?? '';
      if (!refusedOnce.has(subject)) return (refusedOnce.add(subject), true);
      return !bucket.take();
    };
    // Spread over the Twin Cities counties so no organization's weekly capacity is what stops a lead.
    const counties = ['Hennepin', 'Ramsey', 'Anoka', 'Dakota', 'Washington'];
    const bodies = Array.from({ length: REFERRALS }, (_, i) =>
      referralBody({ consumer: { county: counties[i % counties.length], zip: undefined } }),
    );

    // Act: one POST every 1000 / (2 × RATE) ms, each answered while the earlier leads are still going out.
    const posted = await Promise.all(
      bodies.map(async (body, i) => {
        await new Promise((resolve) => setTimeout(resolve, (i * 1000) / (2 * RATE)));
        const res = await postJson(`${stack.apiUrl}/referrals`, body);
        return { status: res.status, referralId: ((await res.json()) as { referralId: string }).referralId };
      }),
    );
    await settle(stack);

    // Assess: SES really refused part of the load (the posting pace is not asserted: on a shared
    // machine it varies; the refusals are what the test needs), and yet every lead went out once.
    expect(posted.map((p) => p.status)).toEqual(Array(REFERRALS).fill(201));
    expect(ses.throttled).toBeGreaterThan(0);
    expect(refusedOnce.size).toBe(REFERRALS); // each lead email was refused at least once, then retried

    const emails = await sentEmails(stack);
    const ids = posted.map((p) => p.referralId);
    const perReferral = ids.map((id) => emails.filter((e) => e.subject.includes(id)).length);
    expect(perReferral).toEqual(Array(REFERRALS).fill(1));
    expect(emails).toHaveLength(REFERRALS);
    expect(bucket.accepted).toBe(REFERRALS); // no email SES accepted is missing from the stand-in

    const stored = await Promise.all(ids.map((id) => referrals.get(id)));
    expect(stored.map((r) => r?.status)).toEqual(Array(REFERRALS).fill('emailed'));
    expect(stored.map((r) => r?.lead?.state)).toEqual(Array(REFERRALS).fill('sent'));
    expect(stack.bus.deadLetters).toEqual([]);
    // Refusals that outlasted the mailer's own retries were recorded, retryable, and retried by the bus.
    const failures = stack.bus.published.filter((e) => e['detail-type'] === 'Lead Email Failed');
    for (const failure of failures) {
      expect((failure.detail as { data: { retryable: boolean; errorCode: string } }).data).toMatchObject({
        retryable: true,
        errorCode: 'Throttling',
      });
    }
  }, 60_000);
});
