import type { EventBridgeEvent } from 'aws-lambda';
import type { LocalStack } from '../../infra/local/stack';
import { sesBounce } from '../fixtures/ses-feedback';
import { postJson, sentEmails, settle, startTestStack } from './support/local-stack';
import { referralBody } from './support/referrals';
import { SesFaultProxy } from './support/ses-fault-proxy';

/*
 * A bounce re-routes a lead, and SES refuses the new lead email (throttling) until the mailer gives
 * up: the bounce event fails and EventBridge delivers it again, and that delivery finishes the
 * move — the new organization gets its lead exactly once. SES's throttling is the one thing
 * mocked (a proxy in front of the stand-in); the bounce is put on the bus as SES's EventBridge
 * destination would, because the stand-in cannot bounce.
 */
let stack: LocalStack;
const ses = new SesFaultProxy();

beforeAll(async () => {
  const proxyUrl = await ses.listen();
  stack = await startTestStack({
    retry: { maxAttempts: 6, maxEventAgeMs: 60_000, baseDelayMs: 100, maxDelayMs: 400 },
    env: { AWS_ENDPOINT_URL_SES: proxyUrl, SES_MAX_ATTEMPTS: '2', SES_BASE_DELAY_MS: '10', SES_MAX_DELAY_MS: '20' },
  });
  ses.target = stack.sesUrl;
});
afterAll(async () => {
  await stack.stop();
  await ses.close();
});

it('a re-routed lead refused by SES is delivered once when the bounce event comes again', async () => {
  // Prepare: a lead to Twin Cities Health Navigators, delivered
  const res = await postJson(`${stack.apiUrl}/referrals`, referralBody());
  const { referralId } = (await res.json()) as { referralId: string };
  await settle(stack);
  const emailed = stack.bus.published.find(
    (e) =>
      e['detail-type'] === 'Lead Emailed' &&
      (e.detail as { data: { referralId: string } }).data.referralId === referralId,
  ) as EventBridgeEvent<string, { data: { messageId: string } }>;
  // SES refuses the next two SendEmail requests: both attempts of the new lead email.
  const refuseFrom = ses.requests + 1;
  ses.throttle = (n) => n >= refuseFrom && n < refuseFrom + 2;

  // Act
  stack.bus.put(
    'Email Bounced',
    'aws.ses',
    sesBounce({
      to: 'leads@twin-cities-health-navigators.example.org',
      messageId: emailed.detail.data.messageId,
      tags: { referralId, organizationId: 'twin-cities-health-navigators' },
    }),
  );
  await settle(stack);

  // Assess
  expect(ses.throttled).toBe(2);
  const status = (await (await fetch(`${stack.apiUrl}/referrals/${referralId}`)).json()) as {
    status: string;
    routing: { organizationId: string };
  };
  expect(status).toMatchObject({ status: 'emailed', routing: { organizationId: 'north-star-community-clinic' } });
  const leads = (await sentEmails(stack)).filter(
    (e) => e.destination.to.includes('leads@north-star-community-clinic.example.org') && e.subject.includes(referralId),
  );
  expect(leads).toHaveLength(1);
  expect(stack.bus.deadLetters).toEqual([]);
});
