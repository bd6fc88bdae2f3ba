import { addDays, startOfMinnesotaDay } from '../domain/minnesota-time';
import type { IsoDate } from '../domain/minnesota-time';
import type { Report } from '../domain/report';
import type { LinkScope } from '../domain/signed-link';
import { deriveKey, issueLinkToken } from '../domain/signed-link';

export interface LinkSettings {
  /** Base URL of the report-links API, e.g. https://reports.pal.example.org */
  readonly publicApiUrl: string;
  readonly signingSecret: Buffer;
  /** Links outlive the due date by this many days: a late report is still accepted. */
  readonly linkGraceDays: number;
}

export interface ReportLinks {
  readonly downloadUrl: string;
  readonly uploadUrl: string;
  readonly expiresOn: IsoDate;
}

/**
 * The emailed links of a report: API endpoints with a signed, report-scoped token valid to the due
 * date plus the grace days — or, for a report sent late (a backfill), the grace days from today.
 */
export function reportLinks(
  settings: LinkSettings,
  report: Pick<Report, 'reportId' | 'organizationId' | 'dueDate'>,
  today: IsoDate,
): ReportLinks {
  const from = today > report.dueDate ? today : report.dueDate;
  const expiresOn = addDays(from, settings.linkGraceDays);
  const exp = Math.floor(startOfMinnesotaDay(addDays(expiresOn, 1)).getTime() / 1000);
  const link = (scope: LinkScope, action: string) => {
    const token = issueLinkToken(
      { scope, subject: report.reportId, organizationId: report.organizationId, exp },
      deriveKey(settings.signingSecret, 'link-token'),
    );
    return `${settings.publicApiUrl}/reports/${encodeURIComponent(report.reportId)}/${action}?token=${token}`;
  };
  return { downloadUrl: link('report-download', 'download'), uploadUrl: link('report-upload', 'upload'), expiresOn };
}
