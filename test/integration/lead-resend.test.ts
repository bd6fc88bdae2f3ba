import type { LocalStack } from '../../infra/local/stack';
import { DynamoAuditLog } from '../../shared/adapters/dynamo-audit-log.adapter';
import { storesOf } from './support/directory';
import { clearEmails, postJson, sentEmails, settle, startTestStack } from './support/local-stack';
import { referralBody } from './support/referrals';
import { SesFaultProxy } from './support/ses-fault-proxy';

/*
 * Leads whose email is not out: ops find them (admin API, ops page) and send them again once they
 * know. SES's real failures cannot run here, so a proxy in front of the SES stand-in refuses sends
 * (Throttling) or lets SES take one and loses its answer (a reset), as a network failure would.
 */
let stack: LocalStack;
let audit: DynamoAuditLog;
const ses = new SesFaultProxy();

beforeAll(async () => {
  const proxyUrl = await ses.listen();
  stack = await startTestStack({ env: { AWS_ENDPOINT_URL_SES: proxyUrl, SES_MAX_ATTEMPTS: '2' } });
  ses.target = stack.sesUrl;
  audit = new DynamoAuditLog(storesOf(stack).doc, stack.config.admin.AUDIT_TABLE);
});
afterAll(async () => {
  await stack.stop();
  await ses.close();
});
beforeEach(async () => {
  await clearEmails(stack);
  ses.throttle = () => false;
  ses.loseAnswer = () => false;
});

async function admin(method: string, path: string, body?: unknown) {
  const res = await fetch(`${stack.apiUrl}/admin${path}`, {
    method,
    headers: { 'x-pal-admin-key': stack.adminKey, 'Content-Type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const json = res.headers.get('content-type')?.includes('json');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: res.status, text, body: (json ? JSON.parse(text) : {}) as any };
}

async function postReferral(): Promise<string> {
  const res = await postJson(`${stack.apiUrl}/referrals`, referralBody());
  expect(res.status).toBe(201);
  const { referralId } = (await res.json()) as { referralId: string };
  await settle(stack);
  return referralId;
}

const emailsFor = async (referralId: string) => (await sentEmails(stack)).filter((e) => e.subject.includes(referralId));

describe('a lead whose SES answer was lost (in doubt)', () => {
  it('is listed for ops, never sent again on its own, and resent once when ops ask', async () => {
    // Prepare: SES takes the lead email, but its answer is lost.
    ses.loseAnswer = () => true;
    const referralId = await postReferral();
    ses.loseAnswer = () => false;
    expect(ses.answersLost).toBeGreaterThan(0);

    // Assess: in doubt, listed with its state, on the ops page too; SES has exactly the one email.
    expect(await emailsFor(referralId)).toHaveLength(1);
    const listed = await admin('GET', '/referrals/undelivered');
    expect(listed.status).toBe(200);
    const entry = listed.body.leads.find((l: { referralId: string }) => l.referralId === referralId);
    expect(entry).toMatchObject({ state: 'in-doubt', attempts: 1, errorCode: 'ECONNRESET' });
    expect(JSON.stringify(listed.body)).not.toMatch(/"(firstName|lastName|phone|email)"/);
    const page = await admin('GET', '/ops');
    expect(page.text).toMatch(new RegExp(`${referralId}</td><td>[a-z0-9-]+</td><td>In doubt`));

    // Act: the organization says it never arrived; two ops press resend at the same moment.
    const [first, second] = await Promise.all([
      admin('POST', `/referrals/${referralId}/resend`, { reason: 'The organization found no email' }),
      admin('POST', `/referrals/${referralId}/resend`, { reason: 'The organization found no email' }),
    ]);
    await settle(stack);

    // Assess: one resend went through, the other was told the lead changed; one more email in all.
    expect([first.status, second.status].sort()).toEqual([200, 422]);
    const refused = first.status === 422 ? first : second;
    expect(refused.body.issues[0]).toMatchObject({ field: 'referralId', rule: 'unchanged-meanwhile' });
    expect(await emailsFor(referralId)).toHaveLength(2);
    const shown = await admin('GET', `/referrals/${referralId}`);
    expect(shown.body.referral).toMatchObject({
      status: 'emailed',
      lead: { state: 'sent', attempts: 1 },
      previousLeads: [{ state: 'in-doubt' }],
    });
    expect(await audit.list(`referral#${referralId}`)).toContainEqual(
      expect.objectContaining({
        action: 'lead-resent',
        actor: expect.stringMatching(/.+/),
        field: 'lead',
        oldValue: expect.stringContaining('in-doubt'),
      }),
    );
    const after = await admin('GET', '/referrals/undelivered');
    expect(after.body.leads.map((l: { referralId: string }) => l.referralId)).not.toContain(referralId);

    // And a lead that is out cannot be resent.
    const again = await admin('POST', `/referrals/${referralId}/resend`, { reason: 'once more' });
    expect(again.status).toBe(422);
    expect(again.body.issues[0]).toMatchObject({ field: 'referralId', rule: 'lead-undelivered' });
  });
});

describe('a lead SES refused until the retries ran out', () => {
  it('is listed as refused with the error code, and resent once SES takes email again', async () => {
    // Prepare
    ses.throttle = () => true;
    const referralId = await postReferral();
    ses.throttle = () => false;

    // Act
    const listed = await admin('GET', '/referrals/undelivered');
    const missingReason = await admin('POST', `/referrals/${referralId}/resend`, {});
    const resent = await admin('POST', `/referrals/${referralId}/resend`, { reason: 'SES recovered' });

    // Assess
    expect(listed.body.leads).toContainEqual(
      expect.objectContaining({ referralId, state: 'failed', errorCode: 'Throttling' }),
    );
    expect(missingReason.status).toBe(422);
    expect(missingReason.body.issues[0]).toMatchObject({ field: 'reason', rule: 'required' });
    expect(resent.status).toBe(200);
    expect(resent.body).toMatchObject({ previousState: 'failed', delivery: { outcome: 'emailed' } });
    expect(await emailsFor(referralId)).toHaveLength(1);
  });
});
