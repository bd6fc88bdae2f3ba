import { buildEvent } from '../../events/envelope';
import { ReportSent } from '../../events/report-events';
import { HELP_REASONS } from '../domain/help-reason';
import type { IsoDate } from '../domain/minnesota-time';
import { instantsOfMinnesotaDays, minnesotaDateOf } from '../domain/minnesota-time';
import type { Organization } from '../domain/organization';
import { formatUsPhone } from '../domain/phone';
import type { Referral } from '../domain/referral';
import type { Report } from '../domain/report';
import { reportFileKey, reportIdFor } from '../domain/report';
import { NotFoundError, RetryLaterError } from '../domain/errors';
import { composeReportEmail } from '../domain/report-email';
import type { ReportIdentity, ReportRow } from '../domain/report-sheet';
import { signReportIdentity } from '../domain/report-signature';
import type { ReportingCalendar, ReportingWindow } from '../domain/reporting-calendar';
import { deriveKey } from '../domain/signed-link';
import { buildReportWorkbook } from '../reports/report-workbook';
import type { AssisterDirectory } from '../ports/assister-directory.port';
import type { EventPublisher } from '../ports/event-publisher.port';
import type { Log } from '../ports/logger.port';
import type { Mailer } from '../ports/mailer.port';
import type { ReportReferrals } from '../ports/referral-store.port';
import type { ReportFiles } from '../ports/report-files.port';
import type { ReportStore } from '../ports/report-store.port';
import type { LinkSettings } from './report-links';
import { reportLinks } from './report-links';

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export interface ReportDeps {
  readonly calendar: ReportingCalendar;
  readonly directory: AssisterDirectory;
  readonly referrals: ReportReferrals;
  readonly reports: ReportStore;
  readonly files: ReportFiles;
  readonly mailer: Mailer;
  readonly events: EventPublisher;
  readonly log: Log;
  readonly clock: () => Date;
  readonly links: LinkSettings;
  readonly programContact: string;
  /** Where organizations reply with the completed sheet (the SES receiving address). */
  readonly inboundAddress: string;
}

/** What one unit of the report send did (one organization, one window). */
export type ReportSendOutcome =
  | { readonly outcome: 'sent'; readonly reportId: string; readonly referralCount: number }
  /** Emailed already: nothing sent twice (a unit whose email another delivery holds a claim on is retried). */
  | { readonly outcome: 'already-sent'; readonly reportId: string }
  | { readonly outcome: 'no-referrals'; readonly reportId: string }
  /** The window or the organization is no longer known: nothing to build, and no use retrying. */
  | { readonly outcome: 'gone'; readonly reportId: string };

/** One unit of the report send, as `Report Build Requested` carries it. */
export interface ReportUnit {
  readonly windowId: string;
  readonly organizationId: string;
}

/** A claim on a report's email older than this belongs to a job that died: take it over. */
const EMAIL_CLAIM_STALE_MS = 15 * 60 * 1000;

/**
 * Builds, stores and emails one organization's report for one window (one `Report Build Requested`):
 * the .xlsx of its referrals in the window, then the email, once. A claim on the report keeps a
 * redelivered unit, or a second run of the job, from emailing again.
 */
export async function sendReport(deps: ReportDeps, unit: ReportUnit): Promise<ReportSendOutcome> {
  const reportId = reportIdFor(unit.windowId, unit.organizationId);
  const window = deps.calendar.windowById(unit.windowId);
  const organization = window && (await deps.directory.get(unit.organizationId));
  if (!window || !organization) {
    deps.log.warn('Report unit for an unknown window or organization', { reportId });
    return { outcome: 'gone', reportId };
  }
  const result = await buildAndSend(deps, window, organization);
  if (result === 'already-sent') return { outcome: 'already-sent', reportId };
  if (!result) return { outcome: 'no-referrals', reportId };
  return { outcome: 'sent', ...result };
}

async function buildAndSend(
  deps: ReportDeps,
  window: ReportingWindow,
  organization: Organization,
  resend = false,
): Promise<{ reportId: string; referralCount: number } | 'already-sent' | undefined> {
  const reportId = reportIdFor(window.id, organization.organizationId);
  const existing = await deps.reports.get(reportId);
  if (existing?.emailedAt && !resend) return 'already-sent';

  const referrals = await collect(
    deps.referrals.assignedBetween(organization.organizationId, ...windowInstants(window)),
  );
  if (referrals.length === 0) return undefined;
  referrals.sort((a, b) => a.referredAt.localeCompare(b.referredAt) || a.referralId.localeCompare(b.referralId));

  const now = deps.clock();
  const referralIds = referrals.map((r) => r.referralId);
  const { report: stored } = await deps.reports.createIfAbsent({
    reportId,
    organizationId: organization.organizationId,
    windowId: window.id,
    windowStart: window.start,
    windowEnd: window.end,
    sendDate: window.sendDate,
    dueDate: window.dueDate,
    referralCount: referrals.length,
    referralIds,
    fileKey: reportFileKey(window, organization.organizationId),
    status: 'sent',
    createdAt: now.toISOString(),
  });
  let report = stored;
  if (resend && !sameList(report.referralIds, referralIds)) {
    // A resent sheet is rebuilt from the referrals as they stand: its returns are checked against that list.
    await deps.reports.setReferrals(reportId, referralIds);
    report = { ...report, referralIds, referralCount: referralIds.length };
  }
  if (
    !resend &&
    !(await deps.reports.claimEmail(
      reportId,
      now.toISOString(),
      new Date(now.getTime() - EMAIL_CLAIM_STALE_MS).toISOString(),
    ))
  ) {
    if ((await deps.reports.get(reportId))?.emailedAt) return 'already-sent';
    // Another delivery holds a live claim and has not sent yet: retried, it is sent or taken over
    // once the claim is stale; if it never is, the unit is dead-lettered (alarmed), not lost.
    throw new RetryLaterError(`Another delivery holds the claim on the email of report ${reportId}`);
  }

  const identity: ReportIdentity = {
    reportId,
    organizationId: organization.organizationId,
    windowId: window.id,
    version: 1,
  };
  const links = reportLinks(deps.links, report, minnesotaDateOf(now));
  const workbook = await buildReportWorkbook({
    identity,
    signature: signReportIdentity(identity, deriveKey(deps.links.signingSecret, 'report-identity')),
    organizationName: organization.name,
    window: { start: window.start, end: window.end, sendDate: window.sendDate, dueDate: window.dueDate },
    programContact: deps.programContact,
    // No upload link in the sheet: the file is forwarded and filed, and the link (a bearer token) would go along.
    returnInstructions: { replyTo: deps.inboundAddress },
    rows: referrals.map(toReportRow),
    generatedAt: now,
  });
  await deps.files.put(report.fileKey, workbook, XLSX_CONTENT_TYPE);

  const email = composeReportEmail({
    report,
    organizationName: organization.name,
    downloadUrl: links.downloadUrl,
    uploadUrl: links.uploadUrl,
    linksExpireOn: links.expiresOn,
    programContact: deps.programContact,
  });
  await deps.mailer.send({ to: [organization.leadEmail], replyTo: [deps.inboundAddress], ...email });
  await deps.reports.markEmailed(reportId, deps.clock().toISOString());
  await deps.events.publish([
    buildEvent(
      ReportSent,
      {
        reportId,
        organizationId: organization.organizationId,
        windowId: window.id,
        referralCount: referrals.length,
        dueDate: window.dueDate,
      },
      `${reportId}:sent`,
      deps.clock(),
    ),
  ]);
  deps.log.info('Report sent', { reportId, referralCount: referrals.length });
  return { reportId, referralCount: referrals.length };
}

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((id, i) => id === b[i]);
}

export function toReportRow(r: Referral): ReportRow {
  return {
    referralId: r.referralId,
    referredOn: minnesotaDateOf(new Date(r.referredAt)),
    consumerName: `${r.consumer.firstName} ${r.consumer.lastName}`,
    phone: formatUsPhone(r.consumer.phone),
    countyName: r.consumer.countyName,
    assisterType: r.assisterType,
    reason: `${HELP_REASONS[r.case.helpReason.category]}: ${r.case.helpReason.details}`,
  };
}

export function windowInstants(window: Pick<ReportingWindow, 'start' | 'end'>): [string, string] {
  return instantsOfMinnesotaDays(window.start, window.end);
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** Ops' "resend a report": the sheet rebuilt from the referrals as they stand, emailed again with fresh links. */
export async function resendReport(
  deps: ReportDeps,
  reportId: string,
): Promise<{ reportId: string; referralCount: number } | undefined> {
  const report = await deps.reports.get(reportId);
  if (!report) throw new NotFoundError(`Report ${reportId} does not exist`);
  const window = deps.calendar.windowById(report.windowId);
  const organization = await deps.directory.get(report.organizationId);
  if (!window || !organization) throw new NotFoundError(`The window or organization of report ${reportId} is gone`);
  const result = await buildAndSend(deps, window, organization, true);
  return typeof result === 'object' ? result : undefined;
}

/** Reports past their due date and not complete, as of a Minnesota date. */
export async function overdueReports(deps: Pick<ReportDeps, 'reports'>, today: IsoDate): Promise<Report[]> {
  return (await deps.reports.listOpen(today)).filter((r) => r.dueDate < today);
}
