import type { LocalStack } from '../../infra/local/stack';
import { storesOf } from './support/directory';
import { clearEmails, postJson, sentEmails, settle, startTestStack } from './support/local-stack';
import { referralBody } from './support/referrals';

/*
 * A report ops resend (admin API) goes out as the report job sent it: from the report sender, to the
 * organization's contact, with the links. OE5's first window: Nov 1–15 2017, sent Nov 22.
 */
let stack: LocalStack;
let now = new Date('2017-11-08T17:00:00Z');

beforeAll(async () => {
  stack = await startTestStack({ clock: () => now });
});
afterAll(() => stack.stop());

it('resends a report from the report sender, not the lead sender', async () => {
  // Prepare: one referral in the window, its report sent on the send date
  const body = referralBody({ referredAt: '2017-11-08T10:00:00-06:00', consumer: { county: 'Hennepin' } });
  const { referralId } = (await (await postJson(`${stack.apiUrl}/referrals`, body)).json()) as { referralId: string };
  await settle(stack);
  const organizationId = (await storesOf(stack).referrals.get(referralId))!.lead!.organizationId;
  now = new Date('2017-11-22T14:00:00Z');
  await stack.sendReports('2017-11-22');
  const [sent] = (await sentEmails(stack)).filter((e) => /report/i.test(e.subject));
  await clearEmails(stack);

  // Act
  const res = await fetch(
    `${stack.apiUrl}/admin/reports/${encodeURIComponent(`2017-11-01_2017-11-15.${organizationId}`)}/resend`,
    { method: 'POST', headers: { 'x-pal-admin-key': stack.adminKey } },
  );

  // Assess
  expect(res.status).toBe(200);
  const resent = await sentEmails(stack);
  expect(resent).toHaveLength(1);
  expect(sent!.from).toContain(stack.env.REPORT_SENDER);
  expect(resent[0]!.from).toContain(stack.env.REPORT_SENDER);
  expect(resent[0]!.from).not.toContain(stack.env.LEAD_SENDER);
  expect(resent[0]!.destination.to).toEqual(sent!.destination.to);
});
