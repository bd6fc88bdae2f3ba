import type { EventBridgeEvent } from 'aws-lambda';
import type { LocalStack } from '../../infra/local/stack';
import { DynamoAuditLog } from '../../shared/adapters/dynamo-audit-log.adapter';
import { sesBounce, sesComplaint } from '../fixtures/ses-feedback';
import { seedDirectory, storesOf } from './support/directory';
import { clearEmails, postJson, sentEmails, settle, startTestStack } from './support/local-stack';
import { referralBody } from './support/referrals';

/*
 * Bounces and complaints (docs/architecture.md, flow 6) on the stand-ins. The SES stand-in cannot bounce, so
 * each test puts on the bus the event SES's EventBridge destination would: source aws.ses,
 * detail-type `Email Bounced` or `Email Complaint Received`, SES's event record as detail.
 */
let stack: LocalStack;
let stores: ReturnType<typeof storesOf>;
let audit: DynamoAuditLog;

const TWIN_CITIES = 'twin-cities-health-navigators';
const NORTH_STAR = 'north-star-community-clinic';
const addressOf = (organizationId: string) => `leads@${organizationId}.example.org`;

beforeAll(async () => {
  stack = await startTestStack();
  stores = storesOf(stack);
  audit = new DynamoAuditLog(stores.doc, stack.config.leadPage.AUDIT_TABLE);
});
afterAll(() => stack.stop());
beforeEach(async () => {
  // Every test starts from the demo directory: no contact failing.
  await seedDirectory(stack);
  await clearEmails(stack);
});

async function postReferral(changes: Record<string, unknown> = {}): Promise<string> {
  const res = await postJson(`${stack.apiUrl}/referrals`, referralBody(changes));
  expect(res.status).toBe(201);
  const { referralId } = (await res.json()) as { referralId: string };
  await settle(stack);
  return referralId;
}

async function referralStatus(referralId: string) {
  const res = await fetch(`${stack.apiUrl}/referrals/${referralId}`);
  return (await res.json()) as {
    status: string;
    routing?: { organizationId?: string; candidates: { organizationId: string; excludedBecause?: string }[] };
  };
}

type Published = EventBridgeEvent<string, { metadata: { eventId: string }; data: Record<string, unknown> }>;
const published = (detailType: string) =>
  stack.bus.published.filter((e) => e['detail-type'] === detailType) as Published[];

/** The Lead Emailed event of a referral: where its lead went, under which SES message id. */
function leadEmailed(referralId: string): { organizationId: string; messageId: string } {
  const event = published('Lead Emailed').find((e) => e.detail.data.referralId === referralId);
  expect(event).toBeDefined();
  return event!.detail.data as { organizationId: string; messageId: string };
}

function putSes(detailType: 'Email Bounced' | 'Email Complaint Received', detail: unknown) {
  return stack.bus.put(detailType, 'aws.ses', detail);
}

const leadTags = (referralId: string, organizationId: string) => ({ referralId, organizationId });

describe('a permanent bounce of a lead email', () => {
  it('stops leads to that address, tells ops, and re-routes the lead to the next eligible organization', async () => {
    // Prepare: a Spanish-speaking Hennepin consumer goes to Twin Cities Health Navigators
    const referralId = await postReferral();
    const lead = leadEmailed(referralId);
    expect(lead.organizationId).toBe(TWIN_CITIES);
    await clearEmails(stack);
    const bouncedAt = new Date().toISOString();

    // Act: SES reports the lead bounced (the address typed in another case by the receiving MTA)
    putSes(
      'Email Bounced',
      sesBounce({
        to: addressOf(TWIN_CITIES).toUpperCase(),
        messageId: lead.messageId,
        tags: leadTags(referralId, TWIN_CITIES),
        timestamp: bouncedAt,
      }),
    );
    await settle(stack);

    // Assess: the contact is failing, and the directory's audit says who changed what
    expect((await stores.directory.get(TWIN_CITIES))?.leadContactStatus).toEqual({
      state: 'failing',
      since: bouncedAt,
      reason: 'bounce',
    });
    expect(await audit.list(`organization#${TWIN_CITIES}`)).toEqual([
      expect.objectContaining({
        action: 'lead-contact-failing',
        actor: 'ses-feedback',
        field: 'leadContactStatus',
        newValue: JSON.stringify({ state: 'failing', since: bouncedAt, reason: 'bounce' }),
      }),
    ]);
    // the referral is with the next eligible organization, whose lead email went out
    const referral = await referralStatus(referralId);
    expect(referral).toMatchObject({ status: 'emailed', routing: { organizationId: NORTH_STAR } });
    const emails = await sentEmails(stack);
    expect(
      emails.filter((e) => e.destination.to.includes(addressOf(NORTH_STAR)) && e.subject.includes(referralId)),
    ).toHaveLength(1);
    // ops see it: Lead Contact Failing (ids only) and Referral Reassigned by ses-bounce
    expect(published('Lead Contact Failing').map((e) => e.detail.data)).toEqual([
      {
        organizationId: TWIN_CITIES,
        reason: 'bounce',
        since: bouncedAt,
        messageId: lead.messageId,
        feedbackType: 'Permanent/NoEmail',
        referralId,
      },
    ]);
    expect(published('Referral Reassigned').map((e) => e.detail.data)).toContainEqual({
      referralId,
      fromOrganizationId: TWIN_CITIES,
      toOrganizationId: NORTH_STAR,
      actor: 'ses-bounce',
    });
    expect(JSON.stringify(published('Lead Contact Failing'))).not.toContain('@');

    // and the next referral from Hennepin passes the failing contact over: no new lead goes there
    await clearEmails(stack);
    const next = await postReferral();
    const nextStatus = await referralStatus(next);
    expect(nextStatus.routing?.organizationId).toBe(NORTH_STAR);
    expect(nextStatus.routing?.candidates).toContainEqual(
      expect.objectContaining({ organizationId: TWIN_CITIES, excludedBecause: 'contact-failing' }),
    );
    const afterwards = await sentEmails(stack);
    expect(afterwards.flatMap((e) => e.destination.to)).toEqual([addressOf(NORTH_STAR)]);
  });

  it('changes nothing more when SES or EventBridge delivers it again', async () => {
    // Prepare
    const referralId = await postReferral();
    const lead = leadEmailed(referralId);
    const bounce = sesBounce({
      to: addressOf(TWIN_CITIES),
      messageId: lead.messageId,
      tags: leadTags(referralId, TWIN_CITIES),
    });
    const event = putSes('Email Bounced', bounce);
    await settle(stack);
    const emailsAfterFirst = (await sentEmails(stack)).length;
    const auditAfterFirst = (await audit.list(`organization#${TWIN_CITIES}`)).length;
    const reassignedAfterFirst = published('Referral Reassigned').length;

    // Act: EventBridge redelivers the event, concurrently, and SES sends a second record of the same bounce
    stack.bus.redeliver(event);
    stack.bus.redeliver(event);
    putSes('Email Bounced', bounce);
    await settle(stack);

    // Assess
    expect(await sentEmails(stack)).toHaveLength(emailsAfterFirst);
    expect(await audit.list(`organization#${TWIN_CITIES}`)).toHaveLength(auditAfterFirst);
    expect(published('Referral Reassigned')).toHaveLength(reassignedAfterFirst);
    expect((await referralStatus(referralId)).routing?.organizationId).toBe(NORTH_STAR);
    // a re-published Lead Contact Failing carries the same eventId: one fact for the alarm
    const failing = published('Lead Contact Failing').filter((e) => e.detail.data.messageId === lead.messageId);
    expect(failing.length).toBeGreaterThan(0);
    expect(new Set(failing.map((e) => e.detail.metadata.eventId)).size).toBe(1);
    expect(stack.bus.deadLetters).toEqual([]);
  });

  it('leaves the lead with its organization and alerts ops when no other organization is eligible', async () => {
    // Prepare: Olmsted's only navigator is Southern Prairie Navigators, and no navigator is statewide
    const referralId = await postReferral({ consumer: { county: 'Olmsted', zip: '55901' } });
    const lead = leadEmailed(referralId);
    expect(lead.organizationId).toBe('southern-prairie-navigators');
    await clearEmails(stack);

    // Act
    putSes(
      'Email Bounced',
      sesBounce({
        to: addressOf('southern-prairie-navigators'),
        messageId: lead.messageId,
        tags: leadTags(referralId, 'southern-prairie-navigators'),
      }),
    );
    await settle(stack);

    // Assess
    expect((await stores.directory.get('southern-prairie-navigators'))?.leadContactStatus?.state).toBe('failing');
    expect((await referralStatus(referralId)).routing?.organizationId).toBe('southern-prairie-navigators');
    expect(published('Lead Email Failed').map((e) => e.detail.data)).toContainEqual({
      referralId,
      organizationId: 'southern-prairie-navigators',
      errorCode: 'Bounced',
      attempts: 1,
      retryable: false,
    });
    expect(await sentEmails(stack)).toEqual([]);
    expect(stack.bus.deadLetters).toEqual([]);
  });
});

describe('a complaint about a lead email', () => {
  it('marks the contact failing and re-routes the lead, like a bounce', async () => {
    // Prepare: a QHP-only Hennepin household goes to Metro Broker Enrollment Center (inline leads)
    const referralId = await postReferral({ case: { determinations: ['qhp'] } });
    const lead = leadEmailed(referralId);
    expect(lead.organizationId).toBe('metro-broker-enrollment-center');
    await clearEmails(stack);

    // Act
    putSes(
      'Email Complaint Received',
      sesComplaint({
        to: addressOf('metro-broker-enrollment-center'),
        messageId: lead.messageId,
        tags: leadTags(referralId, 'metro-broker-enrollment-center'),
      }),
    );
    await settle(stack);

    // Assess: the statewide broker takes it
    expect((await stores.directory.get('metro-broker-enrollment-center'))?.leadContactStatus).toMatchObject({
      state: 'failing',
      reason: 'complaint',
    });
    expect((await referralStatus(referralId)).routing?.organizationId).toBe('gopher-state-insurance-brokers');
    const emails = await sentEmails(stack);
    expect(
      emails.filter((e) => e.destination.to.includes(addressOf('gopher-state-insurance-brokers'))).length,
    ).toBeGreaterThan(0);
    expect(published('Lead Contact Failing').map((e) => e.detail.data)).toContainEqual(
      expect.objectContaining({ organizationId: 'metro-broker-enrollment-center', reason: 'complaint' }),
    );
  });
});

describe('other mail feedback', () => {
  it.each(['Transient', 'Undetermined'] as const)('a %s bounce changes nothing', async (bounceType) => {
    // Prepare
    const referralId = await postReferral();
    const lead = leadEmailed(referralId);
    await clearEmails(stack);
    const failingBefore = published('Lead Contact Failing').length;

    // Act
    putSes(
      'Email Bounced',
      sesBounce({
        to: addressOf(TWIN_CITIES),
        messageId: lead.messageId,
        tags: leadTags(referralId, TWIN_CITIES),
        bounceType,
      }),
    );
    await settle(stack);

    // Assess
    expect((await stores.directory.get(TWIN_CITIES))?.leadContactStatus).toBeUndefined();
    expect((await referralStatus(referralId)).routing?.organizationId).toBe(TWIN_CITIES);
    expect(await sentEmails(stack)).toEqual([]);
    expect(published('Lead Contact Failing')).toHaveLength(failingBefore);
  });

  it('a bounced report email (no lead tags) marks the contact failing and re-routes nothing', async () => {
    // Prepare: a lead that reached North Star, whose report email later bounces
    const referralId = await postReferral({ consumer: { preferredLanguage: 'om' } });
    expect(leadEmailed(referralId).organizationId).toBe(NORTH_STAR);
    await clearEmails(stack);
    const reassignedBefore = published('Referral Reassigned').length;

    // Act
    putSes('Email Bounced', sesBounce({ to: addressOf(NORTH_STAR), messageId: 'report-email-message-id' }));
    await settle(stack);

    // Assess
    expect((await stores.directory.get(NORTH_STAR))?.leadContactStatus?.state).toBe('failing');
    expect((await referralStatus(referralId)).routing?.organizationId).toBe(NORTH_STAR);
    expect(published('Referral Reassigned')).toHaveLength(reassignedBefore);
    expect(await sentEmails(stack)).toEqual([]);
  });

  it('a bounce of the notice to the previous organization re-routes nothing again', async () => {
    // Prepare: a lead re-routed after a bounce; the "reassigned" notice to the first organization bounces too
    const referralId = await postReferral();
    const lead = leadEmailed(referralId);
    putSes(
      'Email Bounced',
      sesBounce({ to: addressOf(TWIN_CITIES), messageId: lead.messageId, tags: leadTags(referralId, TWIN_CITIES) }),
    );
    await settle(stack);
    await clearEmails(stack);
    const reassignedBefore = published('Referral Reassigned').length;

    // Act
    putSes(
      'Email Bounced',
      sesBounce({
        to: addressOf(TWIN_CITIES),
        messageId: 'reassigned-notice-message-id',
        tags: leadTags(referralId, TWIN_CITIES),
      }),
    );
    await settle(stack);

    // Assess
    expect((await referralStatus(referralId)).routing?.organizationId).toBe(NORTH_STAR);
    expect(published('Referral Reassigned')).toHaveLength(reassignedBefore);
    expect(await sentEmails(stack)).toEqual([]);
  });

  it('a bounce for an address that is no lead contact changes nothing', async () => {
    // Act
    putSes('Email Bounced', sesBounce({ to: 'someone-else@example.org', messageId: 'other-message-id' }));
    await settle(stack);

    // Assess
    expect((await stores.directory.list()).filter((o) => o.leadContactStatus !== undefined)).toEqual([]);
    expect(stack.bus.deadLetters).toEqual([]);
  });
});
