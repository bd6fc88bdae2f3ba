import { NotFoundError } from '../../../shared/domain/errors';
import { reassignReferral } from '../../../shared/use-cases/reassign-referral';
import { BROKER, leadEmailOf, leadWorld, OTHER, SPANISH, SUSPENDED } from '../../support/lead-world';

/*
 * Reassignment (shared/use-cases/reassign-referral.ts): ops move a referral to another organization,
 * which gets the lead; the previous one is told not to act on it; who and why are audited. In-memory
 * ports; the admin API route to it is tested on the stand-ins (test/integration/admin.test.ts).
 */

async function emailedTo() {
  const world = leadWorld();
  const { referralId } = await world.receive();
  await world.route(referralId);
  return { world, referralId };
}

const request = (referralId: string, toOrganizationId?: string) => ({
  referralId,
  ...(toOrganizationId && { toOrganizationId }),
  actor: 'ops:casey',
  reason: 'The organization asked to pass this one on',
});

describe('reassigning an emailed referral to the organization ops chose', () => {
  it('emails the lead to the new organization, tells the previous one, audits who and why, and publishes it', async () => {
    const { world, referralId } = await emailedTo();

    const result = await reassignReferral(world.deps, request(referralId, OTHER));

    expect(result).toMatchObject({
      fromOrganizationId: SPANISH,
      toOrganizationId: OTHER,
      delivery: { outcome: 'emailed' },
    });
    expect(world.leadsOf(referralId)).toEqual([leadEmailOf(SPANISH), leadEmailOf(OTHER), leadEmailOf(SPANISH)]);
    const notice = world.mailer.sent.at(-1)!;
    expect(notice.subject).toBe(`PAL referral ${referralId} reassigned`);
    expect(notice.text).toContain('Please do not contact the consumer about it');
    expect(notice.text).not.toMatch(/Avery|555/);
    expect(world.referral(referralId)).toMatchObject({
      status: 'emailed',
      routing: { organizationId: OTHER, reassignedFrom: SPANISH, reassignedBy: 'ops:casey' },
      lead: { state: 'sent', organizationId: OTHER, attempts: 1 },
      previousLeads: [{ state: 'sent', organizationId: SPANISH }],
    });
    expect(await world.audit.list(`referral#${referralId}`)).toEqual([
      expect.objectContaining({ action: 'reassigned', actor: 'ops:casey', oldValue: SPANISH, newValue: OTHER }),
    ]);
    expect(world.events.dataOf('Referral Reassigned')).toEqual([
      { referralId, fromOrganizationId: SPANISH, toOrganizationId: OTHER, actor: 'ops:casey' },
    ]);
  });

  it('does not write to a previous contact that is failing (the notice would only bounce)', async () => {
    const { world, referralId } = await emailedTo();
    const previous = (await world.directory.get(SPANISH))!;
    await world.directory.put({
      ...previous,
      leadContactStatus: { state: 'failing', since: world.now.toISOString(), reason: 'bounce' },
    });

    await reassignReferral(world.deps, request(referralId, OTHER));

    expect(world.leadsOf(referralId)).toEqual([leadEmailOf(SPANISH), leadEmailOf(OTHER)]);
  });
});

describe('reassigning without a target', () => {
  it('picks the next eligible organization by the routing rules, never the current one', async () => {
    const { world, referralId } = await emailedTo();

    const result = await reassignReferral(world.deps, request(referralId));

    expect(result.toOrganizationId).toBe(OTHER);
    expect(world.referral(referralId).routing!.organizationId).toBe(OTHER);
  });

  it('refuses, naming the field, when no other organization can take the referral', async () => {
    const world = leadWorld(
      (await leadWorld().directory.list()).filter(
        (o) => o.organizationId === SPANISH || o.organizationId === SUSPENDED,
      ),
    );
    const { referralId } = await world.receive();
    await world.route(referralId);

    await expect(reassignReferral(world.deps, request(referralId))).rejects.toMatchObject({
      field: 'toOrganizationId',
      rule: 'eligible-organization',
      message: 'no other eligible organization serves this referral',
    });
    expect(world.referral(referralId).routing!.organizationId).toBe(SPANISH);
  });
});

describe('a reassignment the rules refuse', () => {
  it.each([
    [SPANISH, 'different-organization', `the referral is already with ${SPANISH}`],
    [SUSPENDED, 'eligible-organization', `${SUSPENDED} cannot take this referral: suspended`],
    [BROKER, 'eligible-organization', `${BROKER} cannot take this referral: wrong type`],
  ])('to %s is refused (%s) and changes nothing', async (to, rule, message) => {
    const { world, referralId } = await emailedTo();
    const sentBefore = world.mailer.sent.length;

    await expect(reassignReferral(world.deps, request(referralId, to))).rejects.toMatchObject({
      field: 'toOrganizationId',
      rule,
      message,
    });
    expect(world.mailer.sent).toHaveLength(sentBefore);
    expect(world.referral(referralId).routing!.organizationId).toBe(SPANISH);
    expect(world.audit.entries).toEqual([]);
  });

  it('names an organization or referral that does not exist', async () => {
    const { world, referralId } = await emailedTo();

    await expect(reassignReferral(world.deps, request(referralId, 'no-such-org'))).rejects.toThrow(
      new NotFoundError('Organization no-such-org does not exist'),
    );
    await expect(reassignReferral(world.deps, request('ref_nosuchreferralaaaaaaaaaaa', OTHER))).rejects.toThrow(
      new NotFoundError('Referral ref_nosuchreferralaaaaaaaaaaa does not exist'),
    );
  });

  it('two ops moving the same referral at once: one move goes through, the other is told to look again', async () => {
    const { world, referralId } = await emailedTo();
    const broker = (await world.directory.get(BROKER))!;
    await world.directory.put({ ...broker, type: 'navigator', coverage: { kind: 'counties', counties: ['27053'] } });

    const results = await Promise.allSettled([
      reassignReferral(world.deps, request(referralId, OTHER)),
      reassignReferral(world.deps, request(referralId, BROKER)),
    ]);

    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toMatchObject({ field: 'referralId', rule: 'unchanged-meanwhile' });
    const leads = world.leadsOf(referralId).filter((to) => to !== leadEmailOf(SPANISH));
    expect(leads).toHaveLength(1);
    expect(world.audit.entries).toHaveLength(1);
  });
});

describe('an unroutable referral', () => {
  it('is routed by ops to an organization they choose, and emailed to it', async () => {
    const world = leadWorld();
    const { referralId } = await world.receive({ consumer: { county: 'Kittson', zip: '56728' } });
    await expect(world.route(referralId)).resolves.toEqual({ outcome: 'unroutable' });

    const result = await reassignReferral(world.deps, request(referralId, SPANISH)).catch((e: unknown) => e);

    // Twin Cities does not serve Kittson: ops may not send it a referral outside its counties.
    expect(result).toMatchObject({ field: 'toOrganizationId', rule: 'eligible-organization' });
    const twin = (await world.directory.get(SPANISH))!;
    await world.directory.put({ ...twin, coverage: { kind: 'counties', counties: ['27053', '27069'] } });

    await expect(reassignReferral(world.deps, request(referralId, SPANISH))).resolves.toMatchObject({
      toOrganizationId: SPANISH,
      delivery: { outcome: 'emailed' },
    });
    expect(world.leadsOf(referralId)).toEqual([leadEmailOf(SPANISH)]);
    expect(world.events.dataOf('Referral Reassigned')).toEqual([
      { referralId, toOrganizationId: SPANISH, actor: 'ops:casey' },
    ]);
  });
});
