import { createHash } from 'node:crypto';
import { buildEvent } from '../../events/envelope';
import { ReportAccepted } from '../../events/report-events';
import { RetryLaterError } from '../domain/errors';
import { minnesotaDateOf } from '../domain/minnesota-time';
import type { Organization } from '../domain/organization';
import type { RecordedOutcome, Referral } from '../domain/referral';
import type { Report } from '../domain/report';
import { REPORT_ID_PATTERN } from '../domain/report';
import type { ReportProblemLine } from '../domain/report-email';
import { composeReceiptEmail } from '../domain/report-email';
import { isBlankRow, validateReturnedRow } from '../domain/report-sheet';
import { verifyReportIdentity } from '../domain/report-signature';
import { deriveKey } from '../domain/signed-link';
import { readReturnedIdentity, readReturnedWorkbook } from '../reports/report-reader';
import { rowCapFor } from '../reports/sheet-cells';
import { DEFAULT_XLSX_LIMITS, inspectXlsx } from '../reports/xlsx-safety';
import { reportLinks } from './report-links';
import type { FileOrigin, SheetResult } from './report-refusal';
import { Refusal, receivedEvent, refuse } from './report-refusal';
import type { ReportDeps } from './send-reports';
import { collect, windowInstants } from './send-reports';

export interface IngestDeps extends ReportDeps {
  /** On AWS, inbound mail must carry SES's SPF or DKIM pass, so a forged From cannot file a report. */
  readonly requireSenderAuthentication: boolean;
}

/** A claim on a file older than this belongs to a delivery that died (the function's timeout is far shorter). */
const FILE_CLAIM_STALE_MS = 15 * 60 * 1000;

/**
 * Report ingest (design.md flow 4), for one object in the bucket: an upload under returned/,
 * or an email's attachment under received/ (mail-intake unpacked it from inbound/, with its sender).
 */
export async function ingestReturnedFile(deps: IngestDeps, origin: FileOrigin): Promise<SheetResult[]> {
  if (origin.source === 'upload') {
    const reportId = origin.key.split('/')[1] ?? '';
    const report = REPORT_ID_PATTERN.test(reportId) ? await deps.reports.get(reportId) : undefined;
    const organization = report ? await deps.directory.get(report.organizationId) : undefined;
    const notify = organization ? { to: organization.leadEmail } : undefined;
    const object = await deps.files.get(origin.key, DEFAULT_XLSX_LIMITS.maxBytes);
    const result =
      'tooLarge' in object
        ? await refuse(deps, origin, new Refusal('too-large', tooLargeText(), notify))
        : await ingestSheet(deps, origin, object.body, { expectedReportId: reportId, ...(notify && { notify }) });
    return [result];
  }

  // An email's attachment, unpacked by mail-intake with the sender it came from.
  const object = await deps.files.get(origin.key, DEFAULT_XLSX_LIMITS.maxBytes);
  const sender = object.metadata?.sender?.toLowerCase();
  const fileName = object.metadata?.['file-name'] ? decodeURIComponent(object.metadata['file-name']) : undefined;
  const organizations = await deps.directory.list();
  const notify =
    sender && organizations.some((o) => o.leadEmail.toLowerCase() === sender)
      ? { to: sender, ...(fileName && { fileName }) }
      : undefined;
  if ('tooLarge' in object) return [await refuse(deps, origin, new Refusal('too-large', tooLargeText(), notify))];
  if (!sender) return [await refuse(deps, origin, new Refusal('wrong-sender', 'the sender of the email is not known'))];
  return [await ingestSheet(deps, origin, object.body, { sender, ...(notify && { notify }) })];
}

async function ingestSheet(
  deps: IngestDeps,
  origin: FileOrigin,
  data: Buffer,
  context: { expectedReportId?: string; sender?: string; notify?: { to: string; fileName?: string } },
): Promise<SheetResult> {
  try {
    // 1. Safe to open? Checked on the bytes, before any parser inflates anything.
    const inspection = inspectXlsx(data);
    if (!inspection.ok) throw new Refusal(inspection.rule, inspection.message, context.notify);

    // 2. One of ours, untampered, for the organization that sent it: the signed identity is read alone (the defined
    //    names, else the small PAL sheet), so a file that is not ours is refused before any of its rows is parsed.
    const found = await readReturnedIdentity(data);
    const secret = deriveKey(deps.links.signingSecret, 'report-identity');
    if (!found || !verifyReportIdentity(found.identity, found.signature, secret)) {
      throw new Refusal(
        'not-ours',
        'it is not a Preferred Assister Report sent by MNsure, or it was altered',
        context.notify,
      );
    }
    const report = await deps.reports.get(found.identity.reportId);
    if (
      !report ||
      report.organizationId !== found.identity.organizationId ||
      report.windowId !== found.identity.windowId
    ) {
      throw new Refusal('not-ours', 'MNsure has no record of this report', context.notify);
    }
    const organization = await deps.directory.get(report.organizationId);
    if (!organization) throw new Refusal('not-ours', 'the organization of this report is not in the directory');
    const orgNotify = {
      to: organization.leadEmail,
      ...(context.notify?.fileName && { fileName: context.notify.fileName }),
    };
    if (context.expectedReportId !== undefined && context.expectedReportId !== report.reportId) {
      throw new Refusal(
        'wrong-report',
        'the file is a different report from the one this upload link is for',
        orgNotify,
      );
    }
    if (context.sender !== undefined && context.sender !== organization.leadEmail.toLowerCase()) {
      // Not the designated contact: refused, and nobody but the organization's own contact is told.
      throw new Refusal('wrong-sender', "it was not sent from the organization's designated lead contact", orgNotify);
    }
    // Only now the rows, capped by what this report can hold.
    const workbook = await readReturnedWorkbook(data, { maxRows: rowCapFor(report.referralCount) });
    if (workbook.problems.length > 0) {
      throw new Refusal(workbook.problems[0]!.rule, workbook.problems.map((p) => p.message).join('; '), orgNotify);
    }

    // 3. The same file twice changes nothing: one delivery claims it; the others wait for it, then see it done.
    const fileHash = createHash('sha256').update(data).digest('base64url');
    const now = deps.clock();
    const claim = await deps.reports.claimFile(
      report.reportId,
      fileHash,
      now.toISOString(),
      new Date(now.getTime() - FILE_CLAIM_STALE_MS).toISOString(),
    );
    if (claim === 'done') {
      await deps.events.publish([receivedEvent(deps, origin, 'duplicate', report)]);
      return { outcome: 'duplicate', reportId: report.reportId };
    }
    if (claim === 'in-progress') {
      throw new RetryLaterError(`Another delivery is ingesting this file of report ${report.reportId}`);
    }
    try {
      return await applyRows(deps, origin, report, organization, workbook.rows, fileHash);
    } catch (error) {
      // Rows already stored are stored again by the retry (the same values): nothing counts twice.
      await deps.reports.releaseFile(report.reportId, fileHash);
      throw error;
    }
  } catch (error) {
    if (error instanceof Refusal) return refuse(deps, origin, error);
    throw error;
  }
}

/** 4. Every valid row's outcome stored on its referral; invalid rows never block the valid ones. */
async function applyRows(
  deps: IngestDeps,
  origin: FileOrigin,
  report: Report,
  organization: Organization,
  rows: Awaited<ReturnType<typeof readReturnedWorkbook>>['rows'],
  fileHash: string,
): Promise<SheetResult> {
  const members = new Map<string, Referral>();
  for (const r of await collect(
    deps.referrals.assignedBetween(
      report.organizationId,
      ...windowInstants({ start: report.windowStart, end: report.windowEnd }),
    ),
  )) {
    members.set(r.referralId, r);
  }
  const today = minnesotaDateOf(deps.clock());
  const problems: ReportProblemLine[] = [];
  const answered = new Set<string>();
  const seen = new Set<string>();
  let accepted = 0;
  for (const row of rows) {
    const referral = members.get(row.referralId);
    if (!referral) {
      problems.push({
        rowNumber: row.rowNumber,
        referralId: row.referralId,
        column: 'Referral ID',
        rule: 'not-in-report',
        message: 'this referral is not in this report',
      });
      continue;
    }
    if (seen.has(row.referralId)) {
      problems.push({
        rowNumber: row.rowNumber,
        referralId: row.referralId,
        column: 'Referral ID',
        rule: 'duplicate-row',
        message: 'this referral appears on more than one row; only the first is used',
      });
      continue;
    }
    seen.add(row.referralId);
    if (isBlankRow(row)) continue; // not filled in yet: counted as missing below
    let checked: ReturnType<typeof validateReturnedRow>;
    try {
      checked = validateReturnedRow(row, { referredOn: minnesotaDateOf(new Date(referral.referredAt)), today });
    } catch {
      // One row that surprises the rules must not cost the organization the rest of its sheet.
      problems.push({
        rowNumber: row.rowNumber,
        referralId: row.referralId,
        column: 'Referral ID',
        rule: 'unreadable-row',
        message: 'this row could not be read; check its cells and send the sheet again',
      });
      continue;
    }
    if (!checked.ok) {
      problems.push(...checked.problems);
      continue;
    }
    const outcome: RecordedOutcome = {
      ...checked.outcome,
      reportId: report.reportId,
      fileKey: origin.key,
      fileReceivedAt: origin.receivedAt,
      fileOrder: `${origin.receivedAt}#${origin.key}`,
      recordedAt: deps.clock().toISOString(),
    };
    await deps.referrals.recordOutcome(referral.referralId, report.organizationId, outcome);
    answered.add(referral.referralId);
    accepted++;
  }

  // 5. Complete when every referral of the report has an outcome, from this file or an earlier one.
  const missingReferralIds = [...members.values()]
    .filter((r) => !answered.has(r.referralId) && r.outcome === undefined)
    .map((r) => r.referralId);
  const status = missingReferralIds.length === 0 ? 'complete' : 'incomplete';
  await deps.reports.recordReturn(report.reportId, {
    status,
    receivedAt: origin.receivedAt,
    missingReferralIds,
    problemCount: problems.length,
  });

  const late = today > report.dueDate;
  const links = reportLinks(deps.links, report, today);
  const receipt = composeReceiptEmail({
    report,
    organizationName: organization.name,
    accepted,
    problems,
    missingReferralIds,
    complete: status === 'complete',
    late,
    uploadUrl: links.uploadUrl,
    programContact: deps.programContact,
  });
  await deps.mailer.send({ to: [organization.leadEmail], replyTo: [deps.programContact], ...receipt });
  // Done only once the receipt is out: a failure before this leaves the file to the event's retry.
  await deps.reports.completeFile(report.reportId, fileHash, deps.clock().toISOString());
  await deps.events.publish([
    receivedEvent(deps, origin, 'ingested', report),
    buildEvent(
      ReportAccepted,
      {
        reportId: report.reportId,
        organizationId: report.organizationId,
        windowId: report.windowId,
        fileKey: origin.key,
        acceptedRows: accepted,
        problemRows: new Set(problems.map((p) => p.rowNumber)).size,
        missingReferrals: missingReferralIds.length,
        status,
        late,
      },
      `${report.reportId}:accepted:${fileHash}`,
      deps.clock(),
    ),
  ]);
  deps.log.info('Report ingested', {
    reportId: report.reportId,
    accepted,
    problems: problems.length,
    missing: missingReferralIds.length,
    status,
  });
  return {
    outcome: 'ingested',
    reportId: report.reportId,
    accepted,
    problems: problems.length,
    missing: missingReferralIds.length,
    status,
  };
}

function tooLargeText(): string {
  return `the file is larger than ${DEFAULT_XLSX_LIMITS.maxBytes / (1024 * 1024)} MB`;
}
