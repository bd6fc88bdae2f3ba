import { NotFoundError, RetryLaterError } from '../../../shared/domain/errors';
import { MailerError } from '../../../shared/ports/mailer.port';
import { acceptThenFail } from '../../support/in-memory-outbox';
import { CLAIM_TTL_MS, HOUR, leadEmailOf, leadWorld, SPANISH } from '../../support/lead-world';

/*
 * Every path of deliverLead (shared/use-cases/route-referral.ts): the lead email goes out at most
 * once, whatever EventBridge redelivers, SES answers or a crash leaves behind. In-memory ports;
 * the same claim on DynamoDB and SES's answers are tested on the stand-ins (test/integration).
 */

async function routed() {
  const world = leadWorld();
  const referral = await world.receive();
  return { world, referralId: referral.referralId };
}

const failedEvents = (world: ReturnType<typeof leadWorld>) => world.events.dataOf('Lead Email Failed');

describe('a first delivery', () => {
  it('emails the lead to the chosen organization once, stores it sent and publishes Routed and Lead Emailed', async () => {
    const { world, referralId } = await routed();

    const result = await world.route(referralId);

    expect(world.leadsOf(referralId)).toEqual([leadEmailOf(SPANISH)]);
    expect(result).toEqual({ outcome: 'emailed', organizationId: SPANISH, messageId: 'message-1' });
    expect(world.referral(referralId)).toMatchObject({
      status: 'emailed',
      lead: { state: 'sent', organizationId: SPANISH, attempts: 1, messageId: 'message-1' },
    });
    expect(world.events.dataOf('Referral Routed')).toEqual([
      expect.objectContaining({ referralId, organizationId: SPANISH }),
    ]);
    expect(world.events.dataOf('Lead Emailed')).toEqual([
      expect.objectContaining({ referralId, organizationId: SPANISH, messageId: 'message-1', repeat: false }),
    ]);
    // SES returns these tags with a bounce: the bounce handler finds the lead by them.
    expect(world.mailer.sent[0]!.tags).toEqual({ referralId, organizationId: SPANISH });
  });

  it('keeps the first decision: a redelivery after the directory changed routes to the same organization', async () => {
    const { world, referralId } = await routed();
    await world.route(referralId);
    const org = (await world.directory.get(SPANISH))!;
    await world.directory.put({
      ...org,
      status: { state: 'suspended', reason: 'Closed', since: world.now.toISOString() },
    });

    const again = await world.route(referralId);

    expect(again).toEqual({ outcome: 'already-emailed', organizationId: SPANISH });
    expect(world.referral(referralId).routing!.organizationId).toBe(SPANISH);
  });

  it('marks a referral no organization can take unroutable, emails no one and publishes Referral Unroutable', async () => {
    const world = leadWorld([]);
    const { referralId } = await world.receive();

    const result = await world.route(referralId);

    expect(result).toEqual({ outcome: 'unroutable' });
    expect(world.mailer.attempts).toBe(0);
    expect(world.referral(referralId).status).toBe('unroutable');
    expect(world.events.dataOf('Referral Unroutable')).toEqual([
      expect.objectContaining({ referralId, reason: 'no-eligible-organization', candidatesConsidered: 0 }),
    ]);
  });

  it('names the referral when it does not exist', async () => {
    const world = leadWorld();
    await expect(world.route('ref_nosuchreferralaaaaaaaaaaa')).rejects.toThrow(
      new NotFoundError('Referral ref_nosuchreferralaaaaaaaaaaa does not exist'),
    );
  });
});

describe('a delivery that finds the lead already sent', () => {
  it('sends nothing, and publishes the same events again (same ids) so a lost publish is made good', async () => {
    const { world, referralId } = await routed();
    await world.route(referralId);
    const delivered = () =>
      world.events.published
        .filter((e) => e.detailType === 'Referral Routed' || e.detailType === 'Lead Emailed')
        .map((e) => e.detail.metadata.eventId);
    const first = delivered();

    const again = await world.route(referralId);

    expect(again).toEqual({ outcome: 'already-emailed', organizationId: SPANISH });
    expect(world.leadsOf(referralId)).toHaveLength(1);
    expect(first).toHaveLength(2);
    expect(delivered()).toEqual([...first, ...first]);
  });
});

describe('two deliveries at once', () => {
  it('while one holds the claim and SES is answering, the other is told to retry later and sends nothing', async () => {
    const { world, referralId } = await routed();
    let answer!: () => void;
    const sesAnswering = new Promise<void>((resolve) => (answer = resolve));
    let sesCalled!: () => void;
    const called = new Promise<void>((resolve) => (sesCalled = resolve));
    const send = world.mailer.send.bind(world.mailer);
    world.mailer.send = async (email) => {
      sesCalled();
      await sesAnswering;
      return send(email);
    };

    const first = world.route(referralId);
    await called;
    await expect(world.route(referralId)).rejects.toThrow(
      new RetryLaterError(`The lead email of ${referralId} is being sent by another delivery`),
    );
    answer();

    await expect(first).resolves.toMatchObject({ outcome: 'emailed' });
    expect(world.leadsOf(referralId)).toHaveLength(1);
  });

  it('racing from the start, one wins the claim and the other is told to retry later', async () => {
    const { world, referralId } = await routed();

    const results = await Promise.allSettled([world.route(referralId), world.route(referralId)]);

    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(RetryLaterError);
    expect(world.leadsOf(referralId)).toHaveLength(1);
    expect(world.referral(referralId).lead).toMatchObject({ state: 'sent', attempts: 1 });
  });
});

describe('a crash after SES accepted the email, before it was marked sent', () => {
  async function crashed() {
    const { world, referralId } = await routed();
    world.fail.completeLeadEmail = new Error('the Lambda died');
    await expect(world.route(referralId)).rejects.toThrow('the Lambda died');
    return { world, referralId, crashedAt: world.now.getTime() };
  }

  it('leaves the claim held: every redelivery within the claim (EventBridge’s 24 h) is turned away', async () => {
    const { world, referralId, crashedAt } = await crashed();
    expect(world.referral(referralId).lead).toMatchObject({ state: 'sending', attempts: 1 });

    for (const hoursLater of [0, 1, 23.9, 24.9]) {
      world.now = new Date(crashedAt + hoursLater * HOUR);
      await expect(world.route(referralId)).rejects.toBeInstanceOf(RetryLaterError);
    }
    expect(world.leadsOf(referralId)).toHaveLength(1);
    expect(world.referral(referralId).lead!.state).toBe('sending');
  });

  it('judges a replay after the claim expired: in doubt for ops, never sent again, and said once', async () => {
    const { world, referralId, crashedAt } = await crashed();
    world.now = new Date(crashedAt + CLAIM_TTL_MS + HOUR);

    const judged = await world.route(referralId);
    const later = await world.route(referralId);

    expect(judged).toEqual({ outcome: 'in-doubt', organizationId: SPANISH });
    expect(later).toEqual({ outcome: 'in-doubt', organizationId: SPANISH });
    expect(world.leadsOf(referralId)).toHaveLength(1);
    expect(world.referral(referralId)).toMatchObject({
      status: 'email-failed',
      lead: { state: 'in-doubt', lastErrorCode: 'ClaimExpired' },
    });
    expect(failedEvents(world)).toEqual([
      expect.objectContaining({ referralId, errorCode: 'DeliveryInDoubt', retryable: false, attempts: 1 }),
    ]);
    expect(world.log.messages('error')).toContain(
      'Lead email in doubt: not sent again automatically; check with the organization',
    );
  });
});

describe('SES’s answer lost after it may have accepted the email', () => {
  it.each([
    ['a reset connection', acceptThenFail(new MailerError('ECONNRESET', false)), 'ECONNRESET'],
    ['an error that is not the mailer’s', acceptThenFail(new TypeError('socket hang up')), 'UnknownError'],
  ])('(%s) marks the lead in doubt at once and never sends it again', async (_label, error, code) => {
    const { world, referralId } = await routed();
    world.mailer.fault = () => error;

    const result = await world.route(referralId);
    world.mailer.fault = () => undefined;
    const again = await world.route(referralId);

    expect(result).toEqual({ outcome: 'in-doubt', organizationId: SPANISH });
    expect(again).toEqual({ outcome: 'in-doubt', organizationId: SPANISH });
    expect(world.mailer.sent).toHaveLength(1);
    expect(world.referral(referralId).lead).toMatchObject({ state: 'in-doubt', lastErrorCode: code });
    expect(failedEvents(world)).toEqual([expect.objectContaining({ errorCode: 'DeliveryInDoubt', retryable: false })]);
  });
});

describe('SES refusing the email (certainly not sent)', () => {
  it('releases the claim and asks for a retry; the retried event sends it once, as attempt 2', async () => {
    const { world, referralId } = await routed();
    world.mailer.fault = () => new MailerError('Throttling', true);

    await expect(world.route(referralId)).rejects.toMatchObject({
      name: 'RetryLaterError',
      message: `SES refused the lead email of ${referralId} (Throttling)`,
    });
    expect(world.referral(referralId)).toMatchObject({
      status: 'email-failed',
      lead: { state: 'failed', lastErrorCode: 'Throttling', attempts: 1 },
    });
    expect(failedEvents(world)).toEqual([
      expect.objectContaining({ referralId, errorCode: 'Throttling', retryable: true, attempts: 1 }),
    ]);

    world.mailer.fault = () => undefined;
    const retried = await world.route(referralId);

    expect(retried).toMatchObject({ outcome: 'emailed' });
    expect(world.leadsOf(referralId)).toHaveLength(1);
    expect(world.referral(referralId)).toMatchObject({ status: 'emailed', lead: { state: 'sent', attempts: 2 } });
  });

  it('never logs the consumer’s details with the refusal', async () => {
    const { world, referralId } = await routed();
    world.mailer.fault = () => new MailerError('MessageRejected', true);

    await expect(world.route(referralId)).rejects.toBeInstanceOf(RetryLaterError);

    const logged = JSON.stringify(world.log.lines);
    expect(logged).toContain(referralId);
    expect(logged).not.toMatch(/Avery|Example|555|consumer-\d+@/);
  });
});

describe('a failure after the claim was taken, before SES was called', () => {
  it('releases the claim, so the retried event sends the lead at once instead of waiting a day', async () => {
    const { world, referralId } = await routed();
    const get = world.directory.get.bind(world.directory);
    let failures = 1;
    world.directory.get = async (id) => {
      if (failures-- > 0) throw new Error('DynamoDB is unavailable');
      return get(id);
    };

    await expect(world.route(referralId)).rejects.toThrow('DynamoDB is unavailable');
    expect(world.referral(referralId).lead).toMatchObject({ state: 'failed', lastErrorCode: 'NotSent' });
    expect(world.mailer.attempts).toBe(0);

    await expect(world.route(referralId)).resolves.toMatchObject({ outcome: 'emailed' });
    expect(world.leadsOf(referralId)).toHaveLength(1);
    expect(world.referral(referralId).lead).toMatchObject({ state: 'sent', attempts: 2 });
  });

  it('names the organization when it left the directory after the decision, and releases the claim', async () => {
    const { world, referralId } = await routed();
    const get = world.directory.get.bind(world.directory);
    world.directory.get = async (id) => (id === SPANISH ? undefined : get(id));

    await expect(world.route(referralId)).rejects.toThrow(
      new NotFoundError(`Organization ${SPANISH} chosen for ${referralId} no longer exists`),
    );
    expect(world.referral(referralId).lead).toMatchObject({ state: 'failed', lastErrorCode: 'OrganizationMissing' });
    expect(world.mailer.attempts).toBe(0);
  });
});
