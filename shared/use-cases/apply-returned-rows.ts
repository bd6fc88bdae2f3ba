import { buildEvent } from '../../events/envelope';
import { ReportAccepted } from '../../events/report-events';
import { minnesotaDateOf } from '../domain/minnesota-time';
import type { Organization } from '../domain/organization';
import type { RecordedOutcome, Referral } from '../domain/referral';
import type { Report } from '../domain/report';
import type { ReportProblemLine } from '../domain/report-email';
import { composeReceiptEmail, RECEIPT_MAX_PROBLEMS } from '../domain/report-email';
import type { ReturnedRow } from '../domain/report-sheet';
import { isBlankRow, validateReturnedRow } from '../domain/report-sheet';
import { reportLinks } from './report-links';
import type { FileOrigin, SheetResult } from './report-refusal';
import { receivedEvent } from './report-refusal';
import type { ReportDeps } from './send-reports';
import { collect, windowInstants } from './send-reports';

/** Which stored object a file is (its key and version) and what it holds (the digest of its bytes). */
export interface ReturnedFile {
  readonly objectId: string;
  readonly contentHash: string;
}

/**
 * Report ingest, steps 4 and 5, for a file already proven to be this organization's report:
 * every valid row's outcome stored on its referral (invalid rows never block the valid ones), what
 * is missing read back consistently, the report's state recorded, and the receipt sent.
 */
export async function applyReturnedRows(
  deps: ReportDeps,
  origin: FileOrigin,
  report: Report,
  organization: Organization,
  rows: readonly ReturnedRow[],
  file: ReturnedFile,
): Promise<SheetResult> {
  const alreadyAppliedAt = await deps.reports.firstApplied(report.reportId, file.contentHash);
  const members = await membersOf(deps, report);
  const today = minnesotaDateOf(deps.clock());
  const fileOrder = `${origin.receivedAt}#${origin.key}`;
  // The first problems to list, and how many rows had one: a receipt's size must not grow with the file.
  const problems: ReportProblemLine[] = [];
  const problemRows = new Set<number>();
  let problemCount = 0;
  const addProblems = (lines: readonly ReportProblemLine[]) => {
    for (const line of lines) {
      problemCount++;
      problemRows.add(line.rowNumber);
      if (problems.length < RECEIPT_MAX_PROBLEMS) problems.push(line);
    }
  };
  const seen = new Set<string>();
  let accepted = 0;
  let changed = 0;
  let superseded = 0;
  for (const row of rows) {
    const referral = members.get(row.referralId);
    if (!referral) {
      addProblems([rowProblem(row, 'not-in-report', 'this referral is not in this report')]);
      continue;
    }
    if (seen.has(row.referralId)) {
      addProblems([
        rowProblem(row, 'duplicate-row', 'this referral appears on more than one row; only the first is used'),
      ]);
      continue;
    }
    seen.add(row.referralId);
    if (isBlankRow(row)) continue; // not filled in yet: counted as missing below
    let checked: ReturnType<typeof validateReturnedRow>;
    try {
      checked = validateReturnedRow(row, { referredOn: minnesotaDateOf(new Date(referral.referredAt)), today });
    } catch {
      // One row that surprises the rules must not cost the organization the rest of its sheet.
      addProblems([
        rowProblem(row, 'unreadable-row', 'this row could not be read; check its cells and send the sheet again'),
      ]);
      continue;
    }
    if (!checked.ok) {
      addProblems(checked.problems);
      continue;
    }
    const outcome: RecordedOutcome = {
      ...checked.outcome,
      reportId: report.reportId,
      fileKey: origin.key,
      fileReceivedAt: origin.receivedAt,
      fileOrder,
      recordedAt: deps.clock().toISOString(),
    };
    // Only writes that happened count: a file that arrived later may already hold this referral.
    const write = await deps.referrals.recordOutcome(referral.referralId, report.organizationId, outcome);
    if (write === 'superseded') {
      superseded++;
      continue;
    }
    accepted++;
    if (write === 'changed') changed++;
  }

  // 5. Missing: what the referrals hold now, read consistently (outcomes from this or any other file).
  const current = new Map((await deps.referrals.getMany([...members.keys()])).map((r) => [r.referralId, r]));
  const missingReferralIds = [...members.keys()].filter((id) => current.get(id)?.outcome === undefined);
  const status: 'complete' | 'incomplete' = missingReferralIds.length === 0 ? 'complete' : 'incomplete';
  await deps.reports.recordReturn(report.reportId, {
    status,
    receivedAt: origin.receivedAt,
    fileOrder,
    missingReferralIds,
    problemCount,
  });

  const late = today > report.dueDate;
  const links = reportLinks(deps.links, report, today);
  const receipt = composeReceiptEmail({
    report,
    organizationName: organization.name,
    accepted,
    superseded,
    problems,
    problemCount,
    missingReferralIds,
    late,
    ...(alreadyAppliedAt && {
      repeat: { firstAppliedOn: minnesotaDateOf(new Date(alreadyAppliedAt)), changed: changed > 0 },
    }),
    uploadUrl: links.uploadUrl,
    programContact: deps.programContact,
  });
  await deps.mailer.send({ to: [organization.leadEmail], replyTo: [deps.programContact], ...receipt });
  // Done only once the receipt is out: a failure before this leaves the file to the event's retry.
  await deps.reports.completeFile(report.reportId, file.objectId, file.contentHash, deps.clock().toISOString());
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
        problemRows: problemRows.size,
        missingReferrals: missingReferralIds.length,
        status,
        late,
      },
      `${report.reportId}:accepted:${file.objectId}`,
      deps.clock(),
    ),
  ]);
  const summary = {
    reportId: report.reportId,
    accepted,
    changed,
    superseded,
    problems: problemCount,
    missing: missingReferralIds.length,
    status,
    ...(alreadyAppliedAt && { alreadyAppliedAt }),
  };
  deps.log.info('Report ingested', summary);
  return { outcome: 'ingested', ...summary };
}

/**
 * The report's referrals as stored now, in the sheet's order: the list fixed on the report when it
 * was sent, read consistently. A report sent before the list was kept falls back to the
 * byOrganization index (eventually consistent), and says so in the log. A referral since moved to
 * another organization is no longer this organization's to answer, nor missing.
 */
async function membersOf(deps: ReportDeps, report: Report): Promise<Map<string, Referral>> {
  let ids = report.referralIds;
  if (!ids) {
    deps.log.warn('Report has no referral list (sent before it was kept): its referrals are read from the index', {
      reportId: report.reportId,
    });
    const window = { start: report.windowStart, end: report.windowEnd };
    ids = (await collect(deps.referrals.assignedBetween(report.organizationId, ...windowInstants(window)))).map(
      (r) => r.referralId,
    );
  }
  const found = new Map((await deps.referrals.getMany(ids)).map((r) => [r.referralId, r]));
  const members = new Map<string, Referral>();
  for (const id of ids) {
    const referral = found.get(id);
    if (referral?.routing?.organizationId === report.organizationId) members.set(id, referral);
  }
  return members;
}

function rowProblem(row: ReturnedRow, rule: string, message: string): ReportProblemLine {
  return { rowNumber: row.rowNumber, referralId: row.referralId, column: 'Referral ID', rule, message };
}
