import { STALLED_CLAIM_MS } from '../../../shared/domain/referral';
import { MailerError } from '../../../shared/ports/mailer.port';
import { resendLead } from '../../../shared/use-cases/resend-lead';
import { acceptThenFail } from '../../support/in-memory-outbox';
import { leadEmailOf, leadWorld, SPANISH } from '../../support/lead-world';

/*
 * Ops' resend of a lead that is not out (shared/use-cases/resend-lead.ts): in doubt, refused, or
 * stalled under a dead sender's claim. Once, under a fresh claim, audited. In-memory ports; the admin
 * route and SES's real answers are tested on the stand-ins (test/integration/lead-resend.test.ts).
 */

const ask = (referralId: string, reason = 'The organization found no email') => ({
  referralId,
  actor: 'ops:casey',
  reason,
});

async function leadLeft(fault: Error) {
  const world = leadWorld();
  const { referralId } = await world.receive();
  world.mailer.fault = () => fault;
  await world.route(referralId).catch(() => undefined);
  world.mailer.fault = () => undefined;
  return { world, referralId };
}

describe('a lead in doubt (SES may have it)', () => {
  it('is sent again once ops ask, the earlier attempt kept and the resend audited with the reason', async () => {
    const { world, referralId } = await leadLeft(acceptThenFail(new MailerError('ECONNRESET', false)));

    const result = await resendLead(world.deps, ask(referralId));

    expect(result).toMatchObject({
      organizationId: SPANISH,
      previousState: 'in-doubt',
      delivery: { outcome: 'emailed' },
    });
    expect(world.leadsOf(referralId)).toEqual([leadEmailOf(SPANISH), leadEmailOf(SPANISH)]);
    expect(world.referral(referralId)).toMatchObject({
      status: 'emailed',
      lead: { state: 'sent', attempts: 1 },
      previousLeads: [{ state: 'in-doubt', lastErrorCode: 'ECONNRESET' }],
    });
    expect(await world.audit.list(`referral#${referralId}`)).toEqual([
      expect.objectContaining({
        action: 'lead-resent',
        actor: 'ops:casey',
        oldValue: 'in-doubt (ECONNRESET): The organization found no email',
        newValue: SPANISH,
      }),
    ]);
  });

  it('pressed by two ops at once, sends one email; the other is told the lead changed', async () => {
    const { world, referralId } = await leadLeft(acceptThenFail(new MailerError('ECONNRESET', false)));

    const results = await Promise.allSettled([
      resendLead(world.deps, ask(referralId)),
      resendLead(world.deps, ask(referralId)),
    ]);

    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused.map((r) => r.reason)).toEqual([
      expect.objectContaining({ field: 'referralId', rule: 'unchanged-meanwhile' }),
    ]);
    expect(world.leadsOf(referralId)).toHaveLength(2);
  });
});

describe('a lead SES refused until the retries ran out', () => {
  it('is resent as `failed`, and a resend without a reason is refused naming the field', async () => {
    const { world, referralId } = await leadLeft(new MailerError('Throttling', true));

    await expect(resendLead(world.deps, ask(referralId, '  '))).rejects.toMatchObject({
      field: 'reason',
      rule: 'required',
    });
    const result = await resendLead(world.deps, ask(referralId, 'SES recovered'));

    expect(result).toMatchObject({ previousState: 'failed', delivery: { outcome: 'emailed' } });
    expect(world.leadsOf(referralId)).toEqual([leadEmailOf(SPANISH)]);
  });
});

describe('a lead under a claim', () => {
  async function crashedWhileSending() {
    const world = leadWorld();
    const { referralId } = await world.receive();
    world.fail.completeLeadEmail = new Error('the Lambda died');
    await world.route(referralId).catch(() => undefined);
    return { world, referralId, claimedAt: world.now.getTime() };
  }

  it('is not resent while a sender may still be running, and is once the claim has stalled', async () => {
    const { world, referralId, claimedAt } = await crashedWhileSending();

    await expect(resendLead(world.deps, ask(referralId))).rejects.toMatchObject({
      field: 'referralId',
      rule: 'lead-undelivered',
    });
    world.now = new Date(claimedAt + STALLED_CLAIM_MS + 1000);
    const result = await resendLead(world.deps, ask(referralId));

    expect(result).toMatchObject({ previousState: 'stalled', delivery: { outcome: 'emailed' } });
    expect(world.referral(referralId).previousLeads).toEqual([expect.objectContaining({ state: 'sending' })]);
  });
});

describe('a lead that is out', () => {
  it('cannot be resent, and ops are told why', async () => {
    const world = leadWorld();
    const { referralId } = await world.receive();
    await world.route(referralId);

    await expect(resendLead(world.deps, ask(referralId))).rejects.toMatchObject({
      field: 'referralId',
      rule: 'lead-undelivered',
      message: 'the lead was emailed; nothing to resend',
    });
    expect(world.leadsOf(referralId)).toHaveLength(1);
    expect(world.audit.entries).toEqual([]);
  });
});
