import type { LocalStack } from '../../infra/local/stack';
import { clearEmails, postJson, sentEmails, settle, startTestStack } from './support/local-stack';
import { referralBody } from './support/referrals';
import { SesFaultProxy } from './support/ses-fault-proxy';

/*
 * Failures between the parts: EventBridge refusing a publish, SES throttling. SES's real sending
 * limits cannot run here, so a proxy in front of the SES stand-in answers Throttling as SES does.
 */
let stack: LocalStack;
const ses = new SesFaultProxy();

beforeAll(async () => {
  const proxyUrl = await ses.listen();
  stack = await startTestStack({
    env: { AWS_ENDPOINT_URL_SES: proxyUrl, REPUBLISH_GRACE_SECONDS: '0', SES_MAX_ATTEMPTS: '3' },
  });
  ses.target = stack.sesUrl;
});
afterAll(async () => {
  await stack.stop();
  await ses.close();
});
beforeEach(async () => {
  await clearEmails(stack);
  ses.throttle = () => false;
  ses.resetReusedConnections = false;
  stack.bus.failPublishes = () => false;
});

async function post(body: unknown) {
  const res = await postJson(`${stack.apiUrl}/referrals`, body);
  return { status: res.status, body: (await res.json()) as { referralId: string } };
}

async function statusOf(referralId: string) {
  return (await (await fetch(`${stack.apiUrl}/referrals/${referralId}`)).json()) as {
    status: string;
    lead?: { state: string; attempts: number; lastErrorCode?: string };
  };
}

describe('when publishing Referral Created fails at intake', () => {
  it('the CRM still gets 201, the referral stays stored, and the sweeper delivers it', async () => {
    stack.bus.failPublishes = () => true;
    const created = await post(referralBody());
    await settle(stack);

    expect(created.status).toBe(201);
    expect((await statusOf(created.body.referralId)).status).toBe('received');
    expect(await sentEmails(stack)).toHaveLength(0);

    stack.bus.failPublishes = () => false;
    const swept = await stack.sweep();
    await settle(stack);

    expect(swept).toEqual({ found: 1, published: 1 });
    expect((await statusOf(created.body.referralId)).status).toBe('emailed');
    expect(await sentEmails(stack)).toHaveLength(1);
    expect(await stack.sweep()).toEqual({ found: 0, published: 0 });
  });

  it('a retry of the POST publishes what the first attempt could not', async () => {
    stack.bus.failPublishes = () => true;
    const body = referralBody();
    await post(body);
    stack.bus.failPublishes = () => false;

    const retry = await post(body);
    await settle(stack);

    expect(retry.status).toBe(200);
    expect((await statusOf(retry.body.referralId)).status).toBe('emailed');
    expect(await sentEmails(stack)).toHaveLength(1);
  });
});

describe('when SES throttles', () => {
  it('retries with backoff and delivers the lead exactly once', async () => {
    ses.throttle = (n) => n % 2 === 1; // every other request refused: twice the allowed rate
    const bodies = Array.from({ length: 6 }, () => referralBody());

    const created = await Promise.all(bodies.map(post));
    await settle(stack);

    expect(ses.throttled).toBeGreaterThan(0);
    const emails = await sentEmails(stack);
    expect(emails).toHaveLength(6);
    for (const { body } of created) {
      expect(emails.filter((e) => e.subject.includes(body.referralId))).toHaveLength(1);
      expect((await statusOf(body.referralId)).status).toBe('emailed');
    }
  });

  it('records the failure when throttling outlasts the retries, and the next delivery sends it once', async () => {
    ses.throttle = () => true;
    const created = await post(referralBody());
    await settle(stack);

    const failed = await statusOf(created.body.referralId);
    expect(failed.status).toBe('email-failed');
    expect(failed.lead).toMatchObject({ state: 'failed', lastErrorCode: 'Throttling' });
    expect(stack.bus.published.map((e) => e['detail-type'])).toContain('Lead Email Failed');
    const dead = stack.bus.deadLetters.find(
      (d) => (d.event.detail as { data: { referralId: string } }).data.referralId === created.body.referralId,
    );
    expect(dead).toBeDefined();
    expect(await sentEmails(stack)).toHaveLength(0);

    // Ops replays the dead-lettered event once SES recovers.
    ses.throttle = () => false;
    stack.bus.redeliver(dead!.event);
    await settle(stack);

    expect((await statusOf(created.body.referralId)).status).toBe('emailed');
    expect(await sentEmails(stack)).toHaveLength(1);
  });
});

describe('when SES would reset a reused connection (closed by the server while idle)', () => {
  it('sends every lead on a fresh connection, so none is left in doubt', async () => {
    // A reset send cannot be proven unsent, so it would leave the lead in doubt for ops. Under
    // load this happened to about one lead in 500 with pooled connections.
    ses.resetReusedConnections = true;
    const connectionsBefore = ses.connections;
    const sendsBefore = ses.requests;

    const created = [];
    for (let i = 0; i < 3; i++) {
      created.push(await post(referralBody()));
      await settle(stack);
    }

    expect(ses.resets).toBe(0);
    expect(ses.requests - sendsBefore).toBe(3);
    expect(ses.connections - connectionsBefore).toBe(3);
    const emails = await sentEmails(stack);
    for (const { body } of created) {
      expect(emails.filter((e) => e.subject.includes(body.referralId))).toHaveLength(1);
      expect(await statusOf(body.referralId)).toMatchObject({ status: 'emailed', lead: { state: 'sent' } });
    }
  });
});
