import type { AdminDeps } from '../../../shared/wiring/admin';
import { binary, json, text } from '../../../shared/api/http/responses';
import type { ApiRequest, Route } from '../../../shared/api/http/router';
import { route } from '../../../shared/api/http/router';
import { RuleViolation } from '../../../shared/domain/errors';
import { LANGUAGES } from '../../../shared/domain/languages';
import type { LanguageCode } from '../../../shared/domain/languages';
import { addDays, IsoDateSchema, minnesotaDateOf } from '../../../shared/domain/minnesota-time';
import { renderCoverageMap } from '../../../shared/ops/coverage-map';
import { performanceCsv } from '../../../shared/ops/performance-csv';
import { performancePage } from '../../../shared/ops/performance-page';
import { performanceWorkbook } from '../../../shared/ops/performance-workbook';
import type { Performance } from '../../../shared/domain/performance';
import { coverageToday, performanceBetween } from '../../../shared/use-cases/admin/ops-figures';
import { opsPage } from '../../../shared/use-cases/admin/ops-page';
import { XLSX_CONTENT_TYPE } from '../../../shared/use-cases/send-reports';
import { lookback } from './request';

const HTML = 'text/html; charset=utf-8';

/** What ops watch: coverage (JSON and the county map), performance in four formats, the ops page. */
export function opsRoutes(deps: AdminDeps): Route[] {
  const today = () => minnesotaDateOf(deps.clock());
  return [
    route('GET', '/admin/coverage', async (request) =>
      json(200, await coverageToday(deps, today(), lookback(request))),
    ),
    route('GET', '/admin/coverage/map.svg', async (request) => {
      const type = request.query('type') === 'broker' ? 'broker' : 'navigator';
      const asked = request.query('language');
      const language = asked && asked in LANGUAGES ? (asked as LanguageCode) : undefined;
      const coverage = await coverageToday(deps, today(), lookback(request));
      return text(
        200,
        'image/svg+xml',
        renderCoverageMap(coverage, { assisterType: type, ...(language && { language }) }),
      );
    }),
    route('GET', '/admin/performance', async (request) => {
      const performance = await performanceBetween(deps, ...windowOf(request, today()), today());
      return performanceIn(request.query('format') ?? 'json', performance);
    }),
    route('GET', '/admin/ops', async (request) => text(200, HTML, await opsPage(deps, today(), lookback(request)))),
  ];
}

/** ?from=&to=: dates as YYYY-MM-DD, by default the 90 days to today. */
function windowOf(request: ApiRequest, today: string): [string, string] {
  const to = request.query('to') ?? today;
  const from = request.query('from') ?? addDays(to, -90);
  for (const [name, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!IsoDateSchema.safeParse(value).success)
      throw new RuleViolation(name, 'format:date', 'must be a date as YYYY-MM-DD');
  }
  return [from, to];
}

async function performanceIn(format: string, performance: Performance) {
  switch (format) {
    case 'csv':
      return text(200, 'text/csv; charset=utf-8', performanceCsv(performance));
    case 'xlsx':
      return binary(200, XLSX_CONTENT_TYPE, await performanceWorkbook(performance));
    case 'html':
      return text(200, HTML, performancePage(performance));
    case 'json':
      return json(200, performance);
    default:
      throw new RuleViolation('format', 'one-of', 'must be one of: json, csv, xlsx, html');
  }
}
