import type { Coverage } from '../domain/coverage';
import { countyByFips } from '../domain/counties';
import { escapeHtml } from '../format/html';
import type { Performance } from '../domain/performance';
import type { Report } from '../domain/report';
import type { ReferralSummary } from '../ports/referral-store.port';
import type { UndeliveredLead } from '../use-cases/admin/ops-figures';
import { renderCoverageMap } from './coverage-map';
import { performancePage } from './performance-page';

export interface OpsPageInput {
  readonly today: string;
  readonly lookbackDays: number;
  readonly coverage: Coverage;
  readonly performance: Performance;
  readonly overdue: readonly Report[];
  readonly unroutable: readonly ReferralSummary[];
  readonly undelivered: readonly UndeliveredLead[];
}

const UNDELIVERED_STATES: Record<UndeliveredLead['state'], string> = {
  'in-doubt': 'In doubt: ask the organization whether it arrived',
  failed: 'Refused by SES (retried automatically until the retries run out)',
  stalled: 'Stalled: the sender stopped',
};

/**
 * The PAL point of contact's read-only page: coverage maps, overdue reports, unroutable referrals,
 * lead emails not delivered, and the performance tables and charts. Self-contained HTML (no script, no external resource);
 * ids and counts only, no consumer PII.
 */
export function renderOpsPage(input: OpsPageInput): string {
  // The performance page is a whole document: its style and body are embedded here as they are.
  const performance = performancePage(input.performance, { title: 'Performance' });
  const style = /<style>([\s\S]*?)<\/style>/.exec(performance)?.[1] ?? '';
  const body = /<body>([\s\S]*?)<\/body>/.exec(performance)?.[1] ?? '';
  const county = (fips: string) => `${countyByFips(fips)?.name ?? fips} (${fips})`;
  const overdueRows = input.overdue
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.organizationId)}</td><td>${escapeHtml(`${r.windowStart} – ${r.windowEnd}`)}</td><td>${escapeHtml(r.dueDate)}</td><td>${r.missingReferralIds?.length ?? r.referralCount}</td></tr>`,
    )
    .join('\n');
  const unroutableRows = input.unroutable
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.referralId)}</td><td>${escapeHtml(r.referredAt.slice(0, 10))}</td><td>${escapeHtml(county(r.countyFips))}</td><td>${escapeHtml(r.assisterType)}</td></tr>`,
    )
    .join('\n');
  const undeliveredRows = input.undelivered
    .map(
      (l) =>
        `<tr><td>${escapeHtml(l.referralId)}</td><td>${escapeHtml(l.organizationId)}</td><td>${escapeHtml(UNDELIVERED_STATES[l.state])}${l.errorCode ? ` (${escapeHtml(l.errorCode)})` : ''}</td><td>${escapeHtml(l.since.slice(0, 16).replace('T', ' '))} UTC</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>PAL operations — ${escapeHtml(input.today)}</title>
<style>${style}
.maps{display:flex;flex-wrap:wrap;gap:1rem}.maps figure{margin:0;flex:1 1 28rem}.maps svg{width:100%;height:auto}</style>
</head>
<body>
<h1>PAL operations</h1>
<p>As of ${escapeHtml(input.today)} (Minnesota). Referrals counted over the last ${input.lookbackDays} days. Read-only.</p>
<section aria-labelledby="coverage-title">
<h2 id="coverage-title">Coverage</h2>
<p>${input.coverage.uncovered.length} county and assister-type pairs have no active organization.</p>
<div class="maps">
<figure id="map-navigator">${renderCoverageMap(input.coverage, { assisterType: 'navigator' })}</figure>
<figure id="map-broker">${renderCoverageMap(input.coverage, { assisterType: 'broker' })}</figure>
</div>
</section>
<section aria-labelledby="overdue-title">
<h2 id="overdue-title">Overdue reports (${input.overdue.length})</h2>
<table id="overdue-reports"><caption>Reports past their due date and not complete</caption>
<thead><tr><th scope="col">Organization</th><th scope="col">Reporting window</th><th scope="col">Due</th><th scope="col">Referrals without outcome</th></tr></thead>
<tbody>${overdueRows || '<tr><td colspan="4">None</td></tr>'}</tbody></table>
</section>
<section aria-labelledby="unroutable-title">
<h2 id="unroutable-title">Unroutable referrals (${input.unroutable.length})</h2>
<table id="unroutable-referrals"><caption>Referrals no organization could take</caption>
<thead><tr><th scope="col">Referral</th><th scope="col">Referred on</th><th scope="col">County</th><th scope="col">Assister type</th></tr></thead>
<tbody>${unroutableRows || '<tr><td colspan="4">None</td></tr>'}</tbody></table>
</section>
<section aria-labelledby="undelivered-title">
<h2 id="undelivered-title">Lead emails not delivered (${input.undelivered.length})</h2>
<table id="undelivered-leads"><caption>Leads routed to an organization whose email is not out; resend with <code>pal referrals resend</code></caption>
<thead><tr><th scope="col">Referral</th><th scope="col">Organization</th><th scope="col">State</th><th scope="col">Last attempt</th></tr></thead>
<tbody>${undeliveredRows || '<tr><td colspan="4">None</td></tr>'}</tbody></table>
</section>
<section aria-labelledby="performance-title" id="performance">
<h2 id="performance-title">Performance</h2>
${body}
</section>
</body>
</html>
`;
}
