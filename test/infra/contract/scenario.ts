import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { LocalStack } from '../../../infra/local/stack';
import { LOCAL_CREDENTIALS, REPORTS_BUCKET } from '../../../infra/local/stack';
import { sesBounce } from '../../fixtures/ses-feedback';
import { storesOf } from '../../integration/support/directory';
import type { StoredEmail } from '../../integration/support/local-stack';
import { postJson, sentEmails, settle, startTestStack } from '../../integration/support/local-stack';
import { referralBody } from '../../integration/support/referrals';
import { download, fillReport, linksOf, rawEmail } from '../../integration/support/reports';
import type { CallRecorder } from './recorder';

/** The configuration set the scenario's functions send with, as on AWS (the stand-in ignores it). */
export const LOCAL_CONFIGURATION_SET = 'pal-local';

/**
 * One pass through everything the program does, on the local stack with the recorder on: every
 * function's handler runs at least once, along each path that reaches AWS. OE5's first window
 * (Nov 1–15 2017, sent Nov 22, due Nov 29) and, later, the 90-day contact confirmation.
 */
export async function runScenario(recorder: CallRecorder): Promise<LocalStack> {
  let now = new Date('2017-11-08T17:00:00Z');
  const stack = await startTestStack({ clock: () => now, env: { SES_CONFIGURATION_SET: LOCAL_CONFIGURATION_SET } });
  try {
    const stores = storesOf(stack);
    const admin = (method: string, path: string, body?: unknown) =>
      fetch(`${stack.apiUrl}/admin${path}`, {
        method,
        headers: { 'x-pal-admin-key': stack.adminKey, 'Content-Type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    const ok = async (what: string, res: Response | Promise<Response>) => {
      const r = await res;
      if (r.status >= 400) throw new Error(`scenario: ${what} answered ${r.status}: ${await r.text()}`);
      return r;
    };
    const emailsTo = async (to: string, subject: RegExp): Promise<StoredEmail[]> =>
      (await sentEmails(stack)).filter((e) => e.destination.to.includes(to) && subject.test(e.subject));

    // Intake (API) → routing (bus) → lead email; the sweeper finds nothing left to publish.
    const post = async () => {
      const body = referralBody({ referredAt: '2017-11-08T10:00:00-06:00', consumer: { county: 'Hennepin' } });
      const res = await ok('POST /referrals', postJson(`${stack.apiUrl}/referrals`, body));
      return ((await res.json()) as { referralId: string }).referralId;
    };
    const reported = await post();
    const moved = await post();
    await settle(stack);
    await stack.sweep();
    await ok('GET /referrals/{id}', fetch(`${stack.apiUrl}/referrals/${reported}`));
    const org = (await stores.referrals.get(reported))!.lead!.organizationId;
    const contact = (await stores.directory.get(org))!.leadEmail;

    // The secure lead page: opened, then shown (a recorded view).
    const [lead] = await emailsTo(contact, new RegExp(reported));
    const leadLink = /Open the lead .*?: (\S+)/.exec(lead?.body.text ?? '')?.[1];
    if (!leadLink) throw new Error(`scenario: no lead link in the email to ${contact}`);
    await ok('lead page', fetch(leadLink));
    await ok('lead page: show', fetch(leadLink, { method: 'POST' }));

    // Ops: read, reassign (delivers the lead again), then SES bounces the new organization's lead.
    await ok('admin: organizations', admin('GET', '/organizations'));
    await ok('admin: referral', admin('GET', `/referrals/${moved}`));
    await ok('admin: reassign', admin('POST', `/referrals/${moved}/reassign`, { reason: 'contract scenario' }));
    await settle(stack);
    const emailed = stack.bus.published
      .filter((e) => e['detail-type'] === 'Lead Emailed')
      .map((e) => (e.detail as { data: { referralId: string; organizationId: string; messageId: string } }).data)
      .filter((d) => d.referralId === moved)
      .at(-1)!;
    const bounced = (await stores.directory.get(emailed.organizationId))!.leadEmail;
    stack.bus.put(
      'Email Bounced',
      'aws.ses',
      sesBounce({
        to: bounced,
        messageId: emailed.messageId,
        tags: { referralId: moved, organizationId: emailed.organizationId },
      }),
    );
    await settle(stack);

    // Reporting: send, remind, mark overdue, then the sheet comes back late by upload and by email.
    now = new Date('2017-11-22T14:00:00Z');
    await stack.sendReports('2017-11-22');
    const [report] = await emailsTo(contact, /report/i);
    if (!report) throw new Error(`scenario: no report email to ${contact}`);
    const links = linksOf(report);
    const sheet = await download(links.download);
    now = new Date('2017-11-27T14:00:00Z');
    await stack.checkDueReports('2017-11-27');
    now = new Date('2017-11-30T14:00:00Z');
    await stack.checkDueReports('2017-11-30');
    const filled = await fillReport(sheet, {
      [reported]: { contactMade: 'Y', contactDate: '11/09/2017', resolution: 'Appointment scheduled' },
    });
    await ingestOf(stack, () => uploadRecorded(recorder, links.upload, filled));
    const s3 = new S3Client({
      region: 'us-east-2',
      endpoint: stack.s3Url,
      forcePathStyle: true,
      credentials: LOCAL_CREDENTIALS,
    });
    await ingestOf(stack, async () => {
      await s3.send(
        new PutObjectCommand({
          Bucket: REPORTS_BUCKET,
          Key: 'inbound/contract-scenario.eml',
          Body: await rawEmail(contact, filled),
        }),
      );
    });
    s3.destroy();
    await ok(
      'admin: report resend',
      admin('POST', `/reports/${encodeURIComponent(`2017-11-01_2017-11-15.${org}`)}/resend`),
    );
    await ok('admin: overdue', admin('GET', '/reports/overdue'));
    await ok('admin: ops page', admin('GET', '/ops'));

    // Lead contacts, 90 days on: asked to confirm; one confirms through the link.
    now = new Date('2018-02-12T13:00:00Z');
    await stack.resumeOrganizations('2018-02-12');
    await stack.checkContactConfirmations('2018-02-12');
    const [ask] = await emailsTo(contact, /confirm/i);
    const confirmLink = /Confirm the lead contact: (\S+)/.exec(ask?.body.text ?? '')?.[1];
    if (!confirmLink) throw new Error(`scenario: no confirmation request to ${contact}`);
    await ok('contact-confirm page', fetch(confirmLink));
    await ok('contact-confirm', fetch(confirmLink, { method: 'POST' }));
    await settle(stack);
    return stack;
  } catch (error) {
    await stack.stop();
    throw error;
  }
}

/** Waits (bounded) until ingest has handled one more file: s3rver announces objects after answering. */
async function ingestOf(stack: LocalStack, action: () => Promise<unknown>): Promise<void> {
  const before = stack.ingested.length;
  await action();
  for (let i = 0; i < 400 && stack.ingested.length === before; i++) await new Promise((r) => setTimeout(r, 25));
  if (stack.ingested.length === before) throw new Error('scenario: a returned sheet was never ingested');
  await settle(stack);
}

/**
 * The upload page's form, posted as a browser would. The browser's POST reaches S3 without any SDK
 * client, so the call it makes (PutObject with report-links' signature) is recorded here.
 */
async function uploadRecorded(recorder: CallRecorder, link: string, xlsx: Buffer): Promise<void> {
  const page = await (await fetch(link)).text();
  const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
  if (!action) throw new Error(`scenario: no upload form on the page:\n${page}`);
  const form = new FormData();
  const fields: Record<string, string> = {};
  for (const [, name, value] of page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[unescape(name!)] = unescape(value!);
    form.append(unescape(name!), unescape(value!));
  }
  form.append('file', new Blob([xlsx]), 'report.xlsx');
  recorder.add({
    fn: 'report-links',
    operation: 'S3 presigned POST (sent by the browser)',
    action: 's3:PutObject',
    target: { kind: 'object', bucket: REPORTS_BUCKET, key: fields.key!.replace('${filename}', 'report.xlsx') },
    context: {},
  });
  const res = await fetch(unescape(action), { method: 'POST', body: form });
  if (res.status >= 400) throw new Error(`scenario: upload answered ${res.status}: ${await res.text()}`);
}

function unescape(s: string): string {
  return s.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');
}
