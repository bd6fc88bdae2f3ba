import type { LocalStack } from '../../infra/local/stack';
import { LOCAL_CREDENTIALS } from '../../infra/local/stack';
import { documentClient } from '../../shared/adapters/aws-clients';
import { DynamoAuditLog } from '../../shared/adapters/dynamo-audit-log.adapter';
import { DynamoAssisterDirectory } from '../../shared/adapters/dynamo-directory.adapter';
import { clearEmails, postJson, sentEmails, settle, startTestStack } from './support/local-stack';
import { referralBody } from './support/referrals';

/*
 * Intake → routing → lead email, end to end on the stand-ins: the API over HTTP, dynalite,
 * the in-process EventBridge and aws-ses-v2-local, read back through its HTTP API.
 */
let stack: LocalStack;
let directory: DynamoAssisterDirectory;
let audit: DynamoAuditLog;

const decode = (html: string) => html.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

beforeAll(async () => {
  stack = await startTestStack();
  directory = new DynamoAssisterDirectory(
    documentClient(stack.config.routing, LOCAL_CREDENTIALS),
    stack.config.routing.DIRECTORY_TABLE,
  );
  audit = new DynamoAuditLog(
    documentClient(stack.config.leadPage, LOCAL_CREDENTIALS),
    stack.config.leadPage.AUDIT_TABLE,
  );
});
afterAll(() => stack.stop());
beforeEach(() => clearEmails(stack));

async function post(body: unknown) {
  const res = await postJson(`${stack.apiUrl}/referrals`, body);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function status(referralId: unknown) {
  const res = await fetch(`${stack.apiUrl}/referrals/${String(referralId)}`);
  return (await res.json()) as {
    status: string;
    routing?: { organizationId?: string; reason: string; repeatOfReferralId?: string; candidates: unknown[] };
    lead?: { state: string };
  };
}

describe('a referral posted by the CRM', () => {
  it('is stored, routed to an organization serving the county in the consumer language, and emailed at once', async () => {
    // Prepare: Hennepin, Spanish, MA + QHP (a mixed household goes to a navigator)
    const body = referralBody({ consumer: { phone: '612 555 0142', email: 'first.case@example.org' } });

    // Act
    const created = await post(body);
    await settle(stack);

    // Assess
    expect(created.status).toBe(201);
    const referral = await status(created.body.referralId);
    expect(referral.status).toBe('emailed');
    expect(referral.routing).toMatchObject({
      organizationId: 'twin-cities-health-navigators',
      reason: 'county-language-match',
    });
    const emails = await sentEmails(stack);
    expect(emails).toHaveLength(1);
    const [email] = emails;
    expect(email!.destination.to).toEqual(['leads@twin-cities-health-navigators.example.org']);
    expect(email!.replyTo).toEqual(['assisterleads@mnsure.example.org']);
    expect(email!.subject).toContain(String(created.body.referralId));
    for (const expected of [
      'Contact the consumer by:',
      'Hold an appointment by:',
      'County: Hennepin (27053)',
      'Assister type: navigator',
    ]) {
      expect(email!.body.text).toContain(expected);
    }
  });

  it('reaches a secure-link organization without PII in the mailbox; the link shows every field once Show is pressed, and the view is recorded', async () => {
    const body = referralBody({
      consumer: { firstName: 'Marisol', lastName: 'Ekwueme', phone: '612 555 0143', email: 'marisol.e@example.org' },
    });
    const created = await post(body);
    await settle(stack);
    const [email] = await sentEmails(stack);

    for (const part of [email!.subject, email!.body.text ?? '', email!.body.html ?? '']) {
      expect(part).not.toMatch(/Marisol|Ekwueme|555-0143|5550143|marisol\.e|Household got an MA notice/);
    }
    const link = /Open the lead .*?: (\S+)/.exec(email!.body.text ?? '')![1]!;
    // Opening the link (as a mail scanner would) shows no PII and is no view; the button shows the lead.
    const opened = await fetch(link);
    const openedHtml = decode(await opened.text());
    const viewsWhenOpened = await audit.list(`referral#${String(created.body.referralId)}`);
    const page = await fetch(link, { method: 'POST' });
    const html = decode(await page.text());

    expect(opened.status).toBe(200);
    expect(openedHtml).toContain('<form method="post"><button type="submit">Show the lead</button></form>');
    expect(openedHtml).not.toMatch(/Marisol|Ekwueme|555-0143|marisol\.e|Household got an MA notice/);
    expect(opened.headers.get('content-security-policy')).toContain("form-action 'self'");
    expect(viewsWhenOpened).toEqual([]);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    for (const expected of [
      'Marisol Ekwueme',
      '(612) 555-0143',
      'marisol.e@example.org',
      'Does the consumer have an active account?',
      'Does the consumer have an active application?',
      'Medical Assistance, Qualified Health Plan (QHP)',
      'Household got an MA notice',
      'Explained the notice',
      'Did the consumer consent to have their information sent to an assister?',
      'Spanish',
    ]) {
      expect(html).toContain(expected);
    }
    const views = await audit.list(`referral#${String(created.body.referralId)}`);
    expect(views).toEqual([
      expect.objectContaining({ action: 'lead-viewed', actor: 'organization:twin-cities-health-navigators' }),
    ]);
    expect(JSON.stringify(views)).not.toMatch(/Marisol|Ekwueme|555-0143|5550143|marisol/);
  });

  it("refuses a tampered or another lead's link with a 403 that shows nothing of the lead", async () => {
    const created = await post(referralBody({ consumer: { firstName: 'Tobiah', lastName: 'Vandersloot' } }));
    await settle(stack);
    const [email] = await sentEmails(stack);
    const link = /Open the lead .*?: (\S+)/.exec(email!.body.text ?? '')![1]!;
    const other = await post(referralBody());
    await settle(stack);

    for (const bad of [
      link.replace(/token=([^.]+)\./, (_m, b: string) => `token=${b.slice(0, -2)}AA.`),
      link.replace(String(created.body.referralId), String(other.body.referralId)),
      link.replace(/token=.*/, 'token='),
    ]) {
      for (const method of ['GET', 'POST']) {
        const res = await fetch(bad, { method });
        const text = await res.text();
        expect(res.status).toBe(403);
        expect(text).not.toMatch(/Tobiah|Vandersloot|twin-cities|555-01|55501/);
      }
    }
    expect(await audit.list(`referral#${String(created.body.referralId)}`)).toEqual([]);
  });

  it('reaches an organization that asked for inline leads with every field in the email body', async () => {
    // A QHP-only household in Hennepin goes to a broker; Metro Broker Enrollment Center takes leads inline.
    const created = await post(
      referralBody({
        consumer: { phone: '612 555 0144', email: 'inline.case@example.org' },
        case: { determinations: ['qhp'] },
      }),
    );
    await settle(stack);

    expect((await status(created.body.referralId)).routing?.organizationId).toBe('metro-broker-enrollment-center');
    const [email] = await sentEmails(stack);
    expect(email!.subject).not.toMatch(/Avery|Example|555-01|55501|example\.org/);
    for (const expected of [
      'Avery Example',
      '(612) 555-0144',
      'inline.case@example.org',
      'Does the consumer have an active account?: Yes',
      'Does the consumer have an active application?: Yes',
      "Household's current determination(s): Qualified Health Plan (QHP)",
      'Why the consumer is seeking help: Questions about an eligibility determination or a notice: Household got an MA notice',
      'Guidance the consumer was given: Explained the notice',
      'Did the consumer consent to have their information sent to an assister?: Yes',
      'Preferred language: Spanish',
    ]) {
      expect(email!.body.text).toContain(expected);
    }
    expect(email!.body.text).not.toContain('Open the lead');
  });

  it('answers a retry with the same body with the same referral (200) and sends no second email', async () => {
    const body = referralBody();
    const first = await post(body);
    await settle(stack);

    const retries = await Promise.all([post(body), post({ ...body })]);
    await settle(stack);

    expect(first.status).toBe(201);
    expect(retries.map((r) => r.status)).toEqual([200, 200]);
    expect(retries.map((r) => r.body.referralId)).toEqual([first.body.referralId, first.body.referralId]);
    expect(await sentEmails(stack)).toHaveLength(1);
  });

  it('refuses the same CRM id with a different body (409) and keeps the first referral', async () => {
    const body = referralBody();
    const first = await post(body);
    await settle(stack);

    const changed = await post({ ...body, representativeId: 'rep-9999' });
    await settle(stack);

    expect(changed.status).toBe(409);
    expect(changed.body).toMatchObject({
      type: 'https://pal.example.org/problems/conflict',
      status: 409,
      referralId: first.body.referralId,
      issues: [{ field: 'crmReferralId', rule: 'same-body-on-retry' }],
    });
    expect((await status(first.body.referralId)).status).toBe('emailed');
    expect(await sentEmails(stack)).toHaveLength(1);
  });

  it('sends one email when EventBridge delivers the same event again, even concurrently', async () => {
    const created = await post(referralBody());
    await settle(stack);
    const event = stack.bus.published.find(
      (e) =>
        e['detail-type'] === 'Referral Created' &&
        (e.detail as { data: { referralId: string } }).data.referralId === created.body.referralId,
    );
    expect(event).toBeDefined();

    stack.bus.redeliver(event!);
    stack.bus.redeliver(event!);
    stack.bus.redeliver(event!);
    await settle(stack);

    expect(await sentEmails(stack)).toHaveLength(1);
    expect(stack.bus.deadLetters).toEqual([]);
  });

  it('sends one email when duplicate deliveries race from the start', async () => {
    stack.bus.failPublishes = () => true;
    const created = await post(referralBody());
    stack.bus.failPublishes = () => false;
    const detail = {
      metadata: {
        version: 1,
        occurredAt: new Date().toISOString(),
        eventId: `${String(created.body.referralId)}:created`,
      },
      data: {
        referralId: created.body.referralId,
        crmReferralId: 'x',
        referredAt: new Date().toISOString(),
        countyFips: '27053',
        assisterType: 'navigator',
      },
    };

    for (let i = 0; i < 5; i++) stack.bus.put('Referral Created', 'mnsure.pal.referrals', detail);
    await settle(stack);

    expect(await sentEmails(stack)).toHaveLength(1);
    expect((await status(created.body.referralId)).status).toBe('emailed');
  });
});

describe('routing on the demo directory', () => {
  it('never emails a suspended organization: with the Somali-speaking clinic suspended, Somali leads go elsewhere', async () => {
    const clinic = (await directory.get('north-star-community-clinic'))!;
    await directory.put({
      ...clinic,
      status: { state: 'suspended', reason: 'Test suspension', since: new Date().toISOString() },
    });
    try {
      const created = await post(referralBody({ consumer: { preferredLanguage: 'om', county: '27053' } }));
      await settle(stack);

      const referral = await status(created.body.referralId);
      expect(referral.routing?.organizationId).toBe('twin-cities-health-navigators');
      expect(referral.routing?.candidates).toContainEqual(
        expect.objectContaining({ organizationId: 'north-star-community-clinic', excludedBecause: 'suspended' }),
      );
      const emails = await sentEmails(stack);
      expect(emails.flatMap((e) => e.destination.to)).toEqual(['leads@twin-cities-health-navigators.example.org']);
    } finally {
      await directory.put(clinic);
    }
  });

  it('marks a referral unroutable when only a suspended organization serves its county, and emails no one', async () => {
    // Crow Wing (27035): its only navigator, Central Lakes Navigators, is suspended in the demo directory.
    const created = await post(referralBody({ consumer: { county: 'Crow Wing', zip: '56401' } }));
    await settle(stack);

    const referral = await status(created.body.referralId);
    expect(referral.status).toBe('unroutable');
    expect(referral.routing).toMatchObject({ reason: 'no-eligible-organization' });
    expect(referral.routing?.candidates).toEqual([
      expect.objectContaining({ organizationId: 'central-lakes-navigators', excludedBecause: 'suspended' }),
    ]);
    expect(await sentEmails(stack)).toHaveLength(0);
    expect(stack.bus.published.map((e) => e['detail-type'])).toContain('Referral Unroutable');
  });

  it('falls back to a statewide broker where no county broker serves (QHP-only household in Kittson)', async () => {
    const created = await post(
      referralBody({
        consumer: { county: 'Kittson', zip: '56728', preferredLanguage: 'en' },
        case: { determinations: ['qhp'] },
      }),
    );
    await settle(stack);

    const referral = await status(created.body.referralId);
    expect(referral.routing).toMatchObject({ organizationId: 'gopher-state-insurance-brokers', reason: 'statewide' });
    expect((await sentEmails(stack))[0]!.destination.to).toEqual(['leads@gopher-state-insurance-brokers.example.org']);
  });

  it('sends a consumer referred again within 30 days back to the same organization, and the lead says so', async () => {
    // Prepare: the same phone, typed differently, and no email the second time
    const first = await post(referralBody({ consumer: { phone: '507-555-0199', county: 'Olmsted', zip: '55901' } }));
    await settle(stack);
    const firstOrg = (await status(first.body.referralId)).routing?.organizationId;

    const again = await post(
      referralBody({
        consumer: {
          phone: '(507) 555-0199',
          county: 'Olmsted',
          zip: '55902',
          preferredContactMethod: 'phone',
          email: undefined,
        },
      }),
    );
    await settle(stack);

    const referral = await status(again.body.referralId);
    expect(referral.routing).toMatchObject({
      organizationId: firstOrg,
      reason: 'repeat-consumer',
      repeatOfReferralId: first.body.referralId,
    });
    const repeatEmail = (await sentEmails(stack)).find((e) => e.subject.includes(String(again.body.referralId)));
    expect(repeatEmail?.subject).toMatch(/^Repeat PAL referral/);
    expect(repeatEmail?.body.text).toContain(`This is a repeat referral`);
  });
});
