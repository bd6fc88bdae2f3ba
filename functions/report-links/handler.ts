import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { atColdStart } from '../../shared/wiring/cold-start';
import { reportLinksWiring } from '../../shared/wiring/reports';
import { depsFromEnvironment } from '../../shared/wiring/wiring';
import { escapeHtml } from '../../shared/format/html';
import { htmlFallback, htmlPage } from '../../shared/api/http/html-page';
import type { ApiRequest } from '../../shared/api/http/router';
import { createRouter, errorName, route } from '../../shared/api/http/router';
import { REPORT_ID_PATTERN } from '../../shared/domain/report';
import { spokenDate } from '../../shared/domain/report-email';
import { DEFAULT_XLSX_LIMITS } from '../../shared/reports/xlsx-safety';
import type { LinkScope } from '../../shared/domain/signed-link';
import { checkLinkToken, deriveKey } from '../../shared/domain/signed-link';
import type { ReportDeps } from '../../shared/use-cases/send-reports';
import { RETURN_PREFIXES } from '../../shared/api/jobs';
import { decodePathSegment } from '../../shared/api/path-segment';

export type ReportLinksDeps = Pick<ReportDeps, 'reports' | 'files' | 'links' | 'programContact' | 'clock' | 'log'>;

/** Presigned URLs are signed fresh on each click and live minutes, not the Lambda's credentials' hours. */
const DOWNLOAD_URL_SECONDS = 5 * 60;
const UPLOAD_FORM_SECONDS = 60 * 60;

/**
 * The links in report emails: GET /reports/{id}/download → a fresh presigned download;
 * GET /reports/{id}/upload → a page with a presigned, size-capped upload form;
 * GET /reports/{id}/uploaded → the page S3 sends the browser to after an upload.
 * Every route first checks the signed, expiring, report-scoped token.
 */
export function createReportLinksHandler(deps: ReportLinksDeps) {
  return createRouter(
    [route('GET', '/reports/{reportId}/{action}', reportLink, { action: /download|upload|uploaded/ })],
    { fallback: htmlFallback, onUnexpected: (error) => deps.log.error('Report link failed', errorName(error)) },
  );

  async function reportLink(request: ApiRequest): Promise<APIGatewayProxyResult> {
    const reportId = decodePathSegment(request.params.reportId!);
    if (reportId === undefined) return htmlFallback(404, request, []);
    const action = request.params.action as 'download' | 'upload' | 'uploaded';
    const scope: LinkScope = action === 'download' ? 'report-download' : 'report-upload';
    const token = request.query('token');
    const check = checkLinkToken(
      token,
      { scope, subject: reportId },
      deriveKey(deps.links.signingSecret, 'link-token'),
      deps.clock(),
    );
    const report = check.ok && REPORT_ID_PATTERN.test(reportId) ? await deps.reports.get(reportId) : undefined;
    if (!check.ok || !report || report.organizationId !== check.claims.organizationId) {
      deps.log.warn('Report link refused', { action, reason: check.ok ? 'unknown-report' : check.reason });
      return htmlPage(403, 'This link cannot be used', [
        check.ok || check.reason !== 'expired'
          ? 'This link is not valid. Use the link in the most recent email from MNsure.'
          : 'This link has expired.',
        `To get a new link, write to ${deps.programContact}.`,
      ]);
    }

    if (action === 'download') {
      const url = await deps.files.downloadUrl(
        report.fileKey,
        `PAL report ${report.windowStart} to ${report.windowEnd}.xlsx`,
        DOWNLOAD_URL_SECONDS,
      );
      return {
        statusCode: 302,
        headers: { Location: url, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' },
        body: '',
      };
    }
    if (action === 'uploaded') {
      return htmlPage(200, 'Report received', [
        `Thank you. MNsure received your report for ${spokenDate(report.windowStart)} – ${spokenDate(report.windowEnd)}.`,
        'A receipt listing what was accepted, and anything to correct, will be emailed to your designated lead contact in a few minutes.',
      ]);
    }

    const stamp = deps.clock().toISOString().replace(/[-:.]/g, '');
    const key = `${RETURN_PREFIXES.upload}${report.reportId}/${stamp}-${randomBytes(4).toString('hex')}.xlsx`;
    const base = deps.links.publicApiUrl;
    const redirect = `${base}/reports/${encodeURIComponent(report.reportId)}/uploaded?token=${token}`;
    const form = await deps.files.uploadForm(key, DEFAULT_XLSX_LIMITS.maxBytes, redirect, UPLOAD_FORM_SECONDS);
    const hidden = Object.entries(form.fields)
      .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
      .join('\n');
    return htmlPage(
      200,
      'Upload your Preferred Assister Report',
      [
        `Reporting window ${spokenDate(report.windowStart)} – ${spokenDate(report.windowEnd)}, due ${spokenDate(report.dueDate)}.`,
        'Choose the completed spreadsheet (.xlsx, at most 5 MB) and select Upload.',
      ],
      `<form method="post" action="${escapeHtml(form.url)}" enctype="multipart/form-data">
${hidden}
<p><label for="report-file">Completed report (.xlsx)</label><br>
<input type="file" id="report-file" name="file" accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required></p>
<p><button type="submit">Upload</button></p>
</form>`,
      // The upload form posts straight to S3 (a presigned POST), another origin.
      { formAction: '*' },
    );
  }
}

const ready = atColdStart(async () => createReportLinksHandler(await depsFromEnvironment(reportLinksWiring)));

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => (await ready())(event);
