import type { EventBridgeEvent } from 'aws-lambda';
import type { LocalStack } from '../../infra/local/stack';
import { DynamoAuditLog } from '../../shared/adapters/dynamo-audit-log.adapter';
import type { Organization } from '../../shared/domain/organization';
import { seedDirectory, storesOf } from './support/directory';
import type { StoredEmail } from './support/local-stack';
import { clearEmails, sentEmails, settle, startTestStack } from './support/local-stack';

/*
 * Every 90 days each organization confirms its lead contact through a signed link; an unconfirmed
 * one is flagged to ops. The steps below run in order on one stack, on a clock the test moves.
 */
const DAY = 86_400_000;
const ASKED_AT = new Date('2027-02-02T13:00:00.000Z'); // 07:00 in Minnesota
let now = ASKED_AT;
let stack: LocalStack;
let stores: ReturnType<typeof storesOf>;
let audit: DynamoAuditLog;
let requests: StoredEmail[] = [];
let asked: string[] = [];

const TWIN_CITIES = 'twin-cities-health-navigators';
const NORTH_STAR = 'north-star-community-clinic';
const EAST_CENTRAL = 'east-central-health-access';

beforeAll(async () => {
  stack = await startTestStack({ clock: () => now });
  stores = storesOf(stack);
  audit = new DynamoAuditLog(stores.doc, stack.config.leadPage.AUDIT_TABLE);
  // The demo directory as organizations are added: never confirmed (the stack seeds it confirmed).
  await seedDirectory(stack);
  // One organization confirmed a month ago; one whose contact already bounces (ops know).
  await update('west-central-navigators', (o) => ({ ...o, leadContactConfirmedAt: at(-30) }));
  await update('arrowhead-enrollment-partners', (o) => ({
    ...o,
    leadContactStatus: { state: 'failing', since: at(-3), reason: 'bounce' },
  }));
});
afterAll(() => stack.stop());

function at(days: number): string {
  return new Date(ASKED_AT.getTime() + days * DAY).toISOString();
}

async function update(organizationId: string, change: (o: Organization) => Organization) {
  await stores.directory.put(change((await stores.directory.get(organizationId))!));
}

const linkOf = (organizationId: string) => {
  const email = requests.find((e) => e.destination.to.includes(`leads@${organizationId}.example.org`));
  return /Confirm the lead contact: (\S+)/.exec(email?.body.text ?? '')![1]!;
};

type Published = EventBridgeEvent<string, { metadata: { eventId: string }; data: Record<string, unknown> }>;
const unconfirmedEvents = () =>
  stack.bus.published.filter((e) => e['detail-type'] === 'Lead Contact Unconfirmed') as Published[];

/** Runs the job and reads the UnconfirmedContacts value from the EMF line it writes to stdout. */
async function runJob() {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    const line = String(chunk);
    if (line.includes('UnconfirmedContacts')) lines.push(line);
    else write(chunk);
    return true;
  });
  try {
    const result = await stack.checkContactConfirmations();
    await settle(stack);
    const emf = lines.map((l) => JSON.parse(l) as { UnconfirmedContacts: number; service: string });
    return { result, metric: emf.map((m) => m.UnconfirmedContacts) };
  } finally {
    spy.mockRestore();
  }
}

/** Opens the link, as the organization's browser (or a mail scanner) would. */
async function open(url: string) {
  const res = await fetch(url);
  return { status: res.status, text: await res.text(), csp: res.headers.get('content-security-policy') ?? '' };
}

/** Presses Confirm on the linked page: its form posts back to the link's own address. */
async function confirm(url: string) {
  const res = await fetch(url, { method: 'POST' });
  return { status: res.status, text: await res.text() };
}

describe('lead contact confirmation', () => {
  it('asks every active organization that is due, with a link, and only once', async () => {
    // Prepare
    await clearEmails(stack);
    const due = (await stores.directory.list())
      .filter((o) => o.status.state === 'active')
      .map((o) => o.organizationId)
      .filter((id) => !['west-central-navigators', 'arrowhead-enrollment-partners'].includes(id))
      .sort();

    // Act
    const first = await runJob();
    requests = await sentEmails(stack);
    asked = [...first.result.asked].sort();
    const again = await runJob();
    now = new Date(ASKED_AT.getTime() + DAY);
    const nextDay = await runJob();

    // Assess: the suspended organization, the one confirmed lately and the failing one are not asked
    expect(asked).toEqual(due);
    expect(asked).not.toContain('central-lakes-navigators');
    expect(requests.map((e) => e.destination.to[0]).sort()).toEqual(due.map((id) => `leads@${id}.example.org`).sort());
    for (const email of requests) {
      expect(email.subject).toBe('Please confirm your PAL lead contact');
      expect(email.replyTo).toEqual(['assisterleads@mnsure.example.org']);
      expect(email.body.text).toContain(`${stack.apiUrl}/contacts/`);
      expect(email.body.text).toContain('Tuesday, February 16, 2027');
    }
    const twinCities = await stores.directory.get(TWIN_CITIES);
    expect(twinCities?.leadContactConfirmationSentAt).toBe(ASKED_AT.toISOString());
    expect(await audit.list(`organization#${TWIN_CITIES}`)).toEqual([
      expect.objectContaining({
        action: 'lead-contact-confirmation-sent',
        actor: 'contact-confirmations',
        field: 'leadContactConfirmationSentAt',
        newValue: ASKED_AT.toISOString(),
      }),
    ]);
    // not twice: the same day again, and the next day
    expect(again.result.asked).toEqual([]);
    expect(nextDay.result.asked).toEqual([]);
    expect(await sentEmails(stack)).toHaveLength(requests.length);
    expect(first.metric).toEqual([0]);
  });

  it('shows what would be confirmed when the link is opened, and records nothing (mail scanners open links)', async () => {
    // Prepare
    now = new Date(ASKED_AT.getTime() + DAY);

    // Act: the link opened twice, as a scanner and then a person would.
    const scanned = await open(linkOf(TWIN_CITIES));
    const page = await open(linkOf(TWIN_CITIES));

    // Assess: a page naming the address and the organization, with a Confirm button that posts back.
    for (const opened of [scanned, page]) {
      expect(opened.status).toBe(200);
      expect(opened.text).toContain('leads@twin-cities-health-navigators.example.org');
      expect(opened.text).toContain('Twin Cities Health Navigators');
      expect(opened.text).toContain('<form method="post"><button type="submit">Confirm</button></form>');
      expect(opened.csp).toContain("form-action 'self'");
    }
    expect((await stores.directory.get(TWIN_CITIES))?.leadContactConfirmedAt).toBeUndefined();
    expect((await audit.list(`organization#${TWIN_CITIES}`)).map((e) => e.action)).not.toContain(
      'lead-contact-confirmed',
    );
  });

  it('records the confirmation when Confirm is pressed, audited as the organization, once', async () => {
    // Prepare
    now = new Date(ASKED_AT.getTime() + 2 * DAY);

    // Act
    const page = await confirm(linkOf(TWIN_CITIES));
    const auditAfterFirst = await audit.list(`organization#${TWIN_CITIES}`);
    const again = await confirm(linkOf(TWIN_CITIES));

    // Assess
    expect(page.status).toBe(200);
    expect(page.text).toContain('Thank you');
    expect(page.text).toContain('Twin Cities Health Navigators');
    const org = await stores.directory.get(TWIN_CITIES);
    expect(org?.leadContactConfirmedAt).toBe(now.toISOString());
    expect(org?.leadContactStatus).toEqual({ state: 'ok' });
    // (two fields changed in the same instant: the audit's order between them is not defined)
    const confirmed = auditAfterFirst.filter((e) => e.action === 'lead-contact-confirmed');
    expect(confirmed.map((e) => e.field).sort()).toEqual(['leadContactConfirmedAt', 'leadContactStatus']);
    expect(confirmed).toContainEqual(
      expect.objectContaining({
        actor: `organization:${TWIN_CITIES}`,
        field: 'leadContactConfirmedAt',
        newValue: now.toISOString(),
      }),
    );
    expect(confirmed.every((e) => e.actor === `organization:${TWIN_CITIES}`)).toBe(true);
    expect(again.status).toBe(200);
    expect(await audit.list(`organization#${TWIN_CITIES}`)).toHaveLength(auditAfterFirst.length);
  });

  it('refuses a tampered, misdirected or stale link with a 403 that reveals nothing', async () => {
    // Prepare: ops replace East Central's address after the request went out
    const northStar = linkOf(NORTH_STAR);
    const token = (url: string) => new URL(url).searchParams.get('token')!;
    await update(EAST_CENTRAL, (o) => ({ ...o, leadEmail: 'intake@east-central-health-access.example.org' }));

    // Act
    const links = [
      northStar.replace(/token=([^.]+)\.(.*)$/, (_m, b: string, s: string) => `token=${b}.${s.slice(0, -2)}AA`),
      northStar.replace(/token=([^.]+)\./, (_m, b: string) => `token=${b.slice(0, -2)}AA.`),
      `${stack.apiUrl}/contacts/${NORTH_STAR}/confirm?token=${token(linkOf(TWIN_CITIES))}`,
      `${stack.apiUrl}/contacts/${NORTH_STAR}/confirm`,
      linkOf(EAST_CENTRAL),
    ];
    const refused = await Promise.all([...links.map(open), ...links.map(confirm)]);

    // Assess
    for (const res of refused) {
      expect(res.status).toBe(403);
      expect(res.text).toContain('This link is not valid.');
      expect(res.text).not.toMatch(/North Star|East Central|Twin Cities|north-star|east-central|twin-cities/);
    }
    expect((await stores.directory.get(NORTH_STAR))?.leadContactConfirmedAt).toBeUndefined();
    expect((await stores.directory.get(EAST_CENTRAL))?.leadContactConfirmedAt).toBeUndefined();
  });

  it('does not flag anyone 14 days after asking', async () => {
    // Prepare
    now = new Date(ASKED_AT.getTime() + 14 * DAY);

    // Act
    const run = await runJob();

    // Assess
    expect(run.result.flagged).toEqual([]);
    expect(run.metric).toEqual([0]);
    expect(unconfirmedEvents()).toEqual([]);
  });

  it('after 14 days flags each unconfirmed organization to ops once, with the count as a metric; the link has expired', async () => {
    // Prepare
    now = new Date(ASKED_AT.getTime() + 15 * DAY);
    const unconfirmed = asked.filter((id) => id !== TWIN_CITIES);

    // Act
    const expired = await open(linkOf(NORTH_STAR));
    const expiredConfirm = await confirm(linkOf(NORTH_STAR));
    const run = await runJob();
    const again = await runJob();

    // Assess: the link no longer works, and says only that
    expect(expired.status).toBe(403);
    expect(expired.text).toContain('This link has expired.');
    expect(expired.text).not.toMatch(/North Star|north-star|east-central|twin-cities/);
    expect(expiredConfirm.status).toBe(403);
    expect(expiredConfirm.text).toContain('This link has expired.');
    expect((await stores.directory.get(NORTH_STAR))?.leadContactConfirmedAt).toBeUndefined();
    // one event per unconfirmed organization, ids only; the metric carries the count on every run
    expect([...run.result.flagged].sort()).toEqual(unconfirmed);
    expect(run.metric).toEqual([unconfirmed.length]);
    expect(run.result.unconfirmed).toBe(unconfirmed.length);
    const events = unconfirmedEvents();
    expect(events.map((e) => e.detail.data.organizationId).sort()).toEqual(unconfirmed);
    expect(events.find((e) => e.detail.data.organizationId === NORTH_STAR)?.detail.data).toEqual({
      organizationId: NORTH_STAR,
      askedAt: ASKED_AT.toISOString(),
    });
    expect(JSON.stringify(events)).not.toContain('@');
    // once per request: the next run flags no one again, and still counts them
    expect(again.result.flagged).toEqual([]);
    expect(again.metric).toEqual([unconfirmed.length]);
    expect(unconfirmedEvents()).toHaveLength(unconfirmed.length);
  });
});
