import { createHash } from 'node:crypto';
import { decodePathSegment } from '../api/path-segment';
import { RetryLaterError } from '../domain/errors';
import { REPORT_ID_PATTERN } from '../domain/report';
import { verifyReportIdentity } from '../domain/report-signature';
import { deriveKey } from '../domain/signed-link';
import { echoableFileName } from '../domain/attachment-name';
import { readReturnedIdentity, readReturnedWorkbook } from '../reports/report-reader';
import { rowCapFor } from '../reports/sheet-cells';
import { applyReturnedRows } from './apply-returned-rows';
import { DEFAULT_XLSX_LIMITS, inspectXlsx } from '../reports/xlsx-safety';
import type { FileOrigin, SheetResult } from './report-refusal';
import { Refusal, receivedEvent, refuse } from './report-refusal';
import type { ReportDeps } from './send-reports';

export interface IngestDeps extends ReportDeps {
  /** Read by mail-intake, which checks SES's verdicts before anything reaches received/ (the same config). */
  readonly requireSenderAuthentication: boolean;
}

/** A claim on a file older than this belongs to a delivery that died (the function's timeout is far shorter). */
const FILE_CLAIM_STALE_MS = 15 * 60 * 1000;

/**
 * Report ingest (docs/architecture.md, flow 4), for one object in the bucket: an upload under returned/,
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

  // An email's attachment, unpacked by mail-intake with the sender SES proved it came from. The
  // `sender` metadata is trusted because only mail-intake's role may write under received/ (no
  // other function, nor the presigned upload form, which is for returned/ only). It is checked
  // again here: a sender who is no longer (or never was) a lead contact is refused, told nothing.
  const object = await deps.files.get(origin.key, DEFAULT_XLSX_LIMITS.maxBytes);
  const sender = object.metadata?.sender?.toLowerCase();
  const known = sender ? (await deps.directory.list()).some((o) => o.leadEmail.toLowerCase() === sender) : false;
  if (!sender || !known) {
    return [await refuse(deps, origin, new Refusal('unknown-sender', 'the sender is not a lead contact'))];
  }
  const fileName = echoableFileName(fileNameOf(object.metadata?.['file-name']));
  const notify = { to: sender, ...(fileName && { fileName }) };
  if ('tooLarge' in object) return [await refuse(deps, origin, new Refusal('too-large', tooLargeText(), notify))];
  return [await ingestSheet(deps, origin, object.body, { sender, notify })];
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

    // 3. One stored object, one ingest: a redelivery of its S3 event (at-least-once) changes nothing and
    // sends nothing. A re-upload is a new object (a new key, or a new version of the key): it is applied
    // as the latest file and receipted, even when its bytes were seen before.
    const file = {
      objectId: `${origin.key}#${origin.version ?? ''}`,
      contentHash: createHash('sha256').update(data).digest('base64url'),
    };
    const now = deps.clock();
    const claim = await deps.reports.claimFile(
      report.reportId,
      file.objectId,
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
      return await applyReturnedRows(deps, origin, report, organization, workbook.rows, file);
    } catch (error) {
      // Rows already stored are stored again by the retry (the same values): nothing counts twice.
      await deps.reports.releaseFile(report.reportId, file.objectId);
      throw error;
    }
  } catch (error) {
    if (error instanceof Refusal) return refuse(deps, origin, error);
    throw error;
  }
}

/** The file name mail-intake stored (URI-encoded, as S3 metadata is ASCII); a malformed one is dropped. */
function fileNameOf(encoded: string | undefined): string | undefined {
  return encoded ? decodePathSegment(encoded) : undefined;
}

function tooLargeText(): string {
  return `the file is larger than ${DEFAULT_XLSX_LIMITS.maxBytes / (1024 * 1024)} MB`;
}
