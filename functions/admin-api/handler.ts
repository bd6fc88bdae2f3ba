import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { AdminDeps } from '../../shared/wiring/admin';
import { adminApiWiring, reportDepsOf } from '../../shared/wiring/admin';
import { atColdStart } from '../../shared/wiring/cold-start';
import { depsFromEnvironment } from '../../shared/wiring/wiring';
import { decodePathSegment } from '../../shared/api/path-segment';
import { parseCsv } from '../../shared/format/csv';
import { ConcurrentUpdateError, NotFoundError, RuleViolation, StaleCopyError } from '../../shared/domain/errors';
import { LANGUAGES } from '../../shared/domain/languages';
import type { LanguageCode } from '../../shared/domain/languages';
import { addDays, IsoDateSchema, minnesotaDateOf } from '../../shared/domain/minnesota-time';
import { renderCoverageMap } from '../../shared/ops/coverage-map';
import { renderOpsPage } from '../../shared/ops/ops-page';
import { readFirstSheetTable, SheetTableError } from '../../shared/reports/sheet-table';
import { performanceCsv } from '../../shared/ops/performance-csv';
import { performancePage } from '../../shared/ops/performance-page';
import { performanceWorkbook } from '../../shared/ops/performance-workbook';
import {
  coverageToday,
  DEFAULT_LOOKBACK_DAYS,
  performanceBetween,
  undeliveredLeads,
  unroutableReferrals,
} from '../../shared/use-cases/admin/ops-figures';
import { OrganizationSchema } from '../../shared/domain/organization';
import { toFieldIssues } from '../../shared/domain/validation';
import type { FieldIssue } from '../../shared/domain/validation';
import {
  applyOrganizationImport,
  changeLeadEmail,
  exportOrganizationsCsv,
  planOrganizationImport,
  resumeOrganization,
  rowsFromTable,
  suspendOrganization,
} from '../../shared/use-cases/admin/directory-admin';
import { saveOrganization } from '../../shared/use-cases/admin/organizations';
import { showReferral } from '../../shared/use-cases/admin/referral-admin';
import { reassignReferral } from '../../shared/use-cases/reassign-referral';
import { resendLead } from '../../shared/use-cases/resend-lead';
import { overdueReports, resendReport } from '../../shared/use-cases/send-reports';

type Route = (event: APIGatewayProxyEvent, params: string[], actor: string) => Promise<APIGatewayProxyResult>;

/**
 * The admin API: MNsure's PAL point of contact's operations, each audited with the caller's
 * identity. On AWS every route is IAM-authorized (a policy separate from the CRM's); locally the
 * stack checks an admin key. The pal CLI calls the same use cases.
 */
export function createAdminApiHandler(deps: AdminDeps) {
  const routes: [string, RegExp, Route][] = [
    ['GET', /^\/admin\/organizations$/, async () => json(200, { organizations: await deps.directory.list() })],
    [
      'GET',
      /^\/admin\/organizations\/export$/,
      async () => ({
        statusCode: 200,
        headers: {
          'Content-Type': 'text/csv; charset=utf-8',
          'Content-Disposition': 'attachment; filename="pal-directory.csv"',
        },
        body: await exportOrganizationsCsv(deps),
      }),
    ],
    [
      'POST',
      /^\/admin\/organizations\/import$/,
      async (event, _p, actor) => {
        const plan = await planOrganizationImport(deps, rowsFromTable(await tableOf(event)));
        const dryRun = event.queryStringParameters?.dryRun === 'true';
        const strict = event.queryStringParameters?.strict === 'true';
        const applied = dryRun ? { saved: 0 } : await applyOrganizationImport(deps, plan, { strict, actor });
        return json(dryRun || plan.refused.length === 0 ? 200 : 207, {
          dryRun,
          strict,
          added: plan.added.map((o) => o.organizationId),
          changed: plan.changed.map((c) => ({ organizationId: c.organization.organizationId, changes: c.changes })),
          unchanged: plan.unchanged,
          refused: plan.refused,
          saved: applied.saved,
        });
      },
    ],
    [
      'GET',
      /^\/admin\/organizations\/([a-z0-9-]+)$/,
      async (_e, [id]) => {
        const stored = await deps.directory.getVersioned(id!);
        if (!stored) throw new NotFoundError(`Organization ${id!} does not exist`);
        const history = await deps.audit.list(`organization#${id!}`);
        return withEtag(json(200, { organization: stored.organization, history }), stored.version);
      },
    ],
    [
      'PUT',
      /^\/admin\/organizations\/([a-z0-9-]+)$/,
      async (event, [id], actor) => {
        const body = parseBody(event);
        const parsed = OrganizationSchema.safeParse({ ...(body as object), organizationId: id });
        if (!parsed.success) return problem(422, 'invalid-organization', toFieldIssues(parsed.error));
        // If-Match (the ETag of a GET): saved only if nobody changed the record since that GET.
        const ifMatch = headerOf(event, 'if-match');
        const expected = ifMatch === undefined ? undefined : /^(?:W\/)?"v(\d+)"$/.exec(ifMatch.trim());
        if (ifMatch !== undefined && !expected) {
          return problem(400, 'invalid-header', [
            { field: 'If-Match', rule: 'etag', message: 'must be the ETag of a GET of this organization, e.g. "v3"' },
          ]);
        }
        const saved = await saveOrganization(deps, parsed.data, actor, 'organization-saved', {
          ...(expected && { expectedVersion: Number(expected[1]) }),
        });
        return withEtag(json(200, { organization: saved.organization, changes: saved.changes }), saved.version);
      },
    ],
    [
      'POST',
      /^\/admin\/organizations\/([a-z0-9-]+)\/lead-email$/,
      async (event, [id], actor) =>
        json(200, await changeLeadEmail(deps, id!, String(field(event, 'leadEmail')), actor)),
    ],
    [
      'POST',
      /^\/admin\/organizations\/([a-z0-9-]+)\/suspend$/,
      async (event, [id], actor) => {
        const resumesOn = field(event, 'resumesOn');
        return json(
          200,
          await suspendOrganization(
            deps,
            id!,
            String(field(event, 'reason') ?? ''),
            resumesOn === undefined ? undefined : String(resumesOn),
            actor,
          ),
        );
      },
    ],
    [
      'POST',
      /^\/admin\/organizations\/([a-z0-9-]+)\/resume$/,
      async (_e, [id], actor) => json(200, await resumeOrganization(deps, id!, actor)),
    ],
    [
      'GET',
      /^\/admin\/referrals\/undelivered$/,
      async (event) => {
        const today = minnesotaDateOf(deps.clock());
        return json(200, { leads: await undeliveredLeads(deps, today, lookback(event), deps.clock()) });
      },
    ],
    ['GET', /^\/admin\/referrals\/(ref_[a-z2-7]{26})$/, async (_e, [id]) => json(200, await showReferral(deps, id!))],
    [
      'POST',
      /^\/admin\/referrals\/(ref_[a-z2-7]{26})\/resend$/,
      async (event, [id], actor) =>
        json(200, await resendLead(deps, { referralId: id!, actor, reason: String(field(event, 'reason') ?? '') })),
    ],
    [
      'POST',
      /^\/admin\/referrals\/(ref_[a-z2-7]{26})\/reassign$/,
      async (event, [id], actor) => {
        const to = field(event, 'toOrganizationId');
        const reason = String(field(event, 'reason') ?? '').trim();
        if (!reason) throw new RuleViolation('reason', 'required', 'a reassignment needs a reason');
        return json(
          200,
          await reassignReferral(deps, {
            referralId: id!,
            ...(to !== undefined && { toOrganizationId: String(to) }),
            actor,
            reason,
          }),
        );
      },
    ],
    [
      'POST',
      /^\/admin\/reports\/([^/]+)\/resend$/,
      async (_e, [id]) => {
        const reportId = decodePathSegment(id!);
        if (reportId === undefined) {
          return problem(400, 'invalid-path', [
            { field: 'path', rule: 'percent-encoding', message: 'the report id has a malformed percent-escape' },
          ]);
        }
        return json(200, { resent: await resendReport(reportDepsOf(deps), reportId) });
      },
    ],
    ['GET', /^\/admin\/coverage$/, async (event) => json(200, await coverageToday(deps, today(), lookback(event)))],
    [
      'GET',
      /^\/admin\/coverage\/map\.svg$/,
      async (event) => {
        const q = event.queryStringParameters ?? {};
        const type = q.type === 'broker' ? 'broker' : 'navigator';
        const language = q.language && q.language in LANGUAGES ? (q.language as LanguageCode) : undefined;
        const coverage = await coverageToday(deps, today(), lookback(event));
        return {
          statusCode: 200,
          headers: { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'no-store' },
          body: renderCoverageMap(coverage, { assisterType: type, ...(language && { language }) }),
        };
      },
    ],
    [
      'GET',
      /^\/admin\/performance$/,
      async (event) => {
        const q = event.queryStringParameters ?? {};
        const to = q.to ?? today();
        const from = q.from ?? addDays(to, -90);
        for (const [name, value] of [
          ['from', from],
          ['to', to],
        ] as const) {
          if (!IsoDateSchema.safeParse(value).success)
            throw new RuleViolation(name, 'format:date', 'must be a date as YYYY-MM-DD');
        }
        const performance = await performanceBetween(deps, from, to, today());
        switch (q.format ?? 'json') {
          case 'csv':
            return {
              statusCode: 200,
              headers: { 'Content-Type': 'text/csv; charset=utf-8' },
              body: performanceCsv(performance),
            };
          case 'xlsx':
            return {
              statusCode: 200,
              headers: { 'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
              body: (await performanceWorkbook(performance)).toString('base64'),
              isBase64Encoded: true,
            };
          case 'html':
            return {
              statusCode: 200,
              headers: { 'Content-Type': 'text/html; charset=utf-8' },
              body: performancePage(performance),
            };
          case 'json':
            return json(200, performance);
          default:
            throw new RuleViolation('format', 'one-of', 'must be one of: json, csv, xlsx, html');
        }
      },
    ],
    [
      'GET',
      /^\/admin\/ops$/,
      async (event) => ({
        statusCode: 200,
        headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' },
        body: await opsPage(deps, today(), lookback(event)),
      }),
    ],
    [
      'GET',
      /^\/admin\/reports\/overdue$/,
      async () => json(200, { reports: await overdueReports(deps, minnesotaDateOf(deps.clock())) }),
    ],
  ];

  function today(): string {
    return minnesotaDateOf(deps.clock());
  }

  return async function handle(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
    const actor = event.requestContext?.identity?.userArn ?? 'unknown';
    const path = event.path.replace(/\/+$/, '');
    try {
      for (const [method, pattern, route] of routes) {
        const match = pattern.exec(path);
        if (match && method === event.httpMethod) return await route(event, match.slice(1), actor);
      }
      return problem(404, 'not-found', [
        { field: 'path', rule: 'known-route', message: `${event.httpMethod} ${path} is not an admin route` },
      ]);
    } catch (error) {
      if (error instanceof RuleViolation)
        return problem(422, 'rule-violation', [{ field: error.field, rule: error.rule, message: error.message }]);
      if (error instanceof NotFoundError)
        return problem(404, 'not-found', [{ field: 'path', rule: 'exists', message: error.message }]);
      if (error instanceof BadBody)
        return problem(400, 'invalid-body', [{ field: 'body', rule: error.rule, message: error.message }]);
      if (error instanceof StaleCopyError)
        return problem(412, 'stale-copy', [{ field: 'If-Match', rule: 'current-version', message: error.message }]);
      if (error instanceof ConcurrentUpdateError)
        return problem(409, 'concurrent-update', [
          { field: 'path', rule: 'no-concurrent-update', message: `${error.message}; try again` },
        ]);
      deps.log.error('Admin request failed', { path, errorName: error instanceof Error ? error.name : 'unknown' });
      return problem(500, 'internal', []);
    }
  };
}

/** The ops page's figures, gathered from the same use cases as the admin routes. */
export async function opsPage(deps: AdminDeps, today: string, days: number): Promise<string> {
  return renderOpsPage({
    today,
    lookbackDays: days,
    coverage: await coverageToday(deps, today, days),
    performance: await performanceBetween(deps, addDays(today, -90), today, today),
    overdue: await overdueReports(deps, today),
    unroutable: await unroutableReferrals(deps, today, days),
    undelivered: await undeliveredLeads(deps, today, days, deps.clock()),
  });
}

function lookback(event: APIGatewayProxyEvent): number {
  const days = Number(event.queryStringParameters?.days ?? DEFAULT_LOOKBACK_DAYS);
  if (!Number.isInteger(days) || days < 1 || days > 366)
    throw new RuleViolation('days', 'range', 'must be a whole number of days from 1 to 366');
  return days;
}

class BadBody extends Error {
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

function parseBody(event: APIGatewayProxyEvent): unknown {
  try {
    return JSON.parse(event.body ?? '{}') as unknown;
  } catch {
    throw new BadBody('json', 'must be a JSON object');
  }
}

function field(event: APIGatewayProxyEvent, name: string): unknown {
  const body = parseBody(event);
  return body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
}

/** An import file: CSV as text, or .xlsx (API Gateway passes binary bodies base64-encoded). */
async function tableOf(event: APIGatewayProxyEvent): Promise<string[][]> {
  const raw = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  if (raw.subarray(0, 2).toString() === 'PK') return readSheetTable(raw);
  return parseCsv(raw.toString('utf8'));
}

/**
 * The first sheet of a small .xlsx (a directory import), as rows of text: inspected on the bytes, then read by the
 * same capped, linear reader as a returned report, since the spreadsheet may come from anyone.
 */
export async function readSheetTable(data: Buffer): Promise<string[][]> {
  try {
    return await readFirstSheetTable(data);
  } catch (error) {
    if (error instanceof SheetTableError) throw new BadBody(error.rule, `the .xlsx file: ${error.message}`);
    throw error;
  }
}

function json(statusCode: number, body: unknown): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
    body: JSON.stringify(body),
  };
}

function withEtag(result: APIGatewayProxyResult, version: number): APIGatewayProxyResult {
  return { ...result, headers: { ...result.headers, ETag: `"v${version}"` } };
}

function headerOf(event: APIGatewayProxyEvent, name: string): string | undefined {
  const found = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return found?.[1] ?? undefined;
}

function problem(statusCode: number, error: string, issues: FieldIssue[]): APIGatewayProxyResult {
  return json(statusCode, { error, issues });
}

const ready = atColdStart(async () => createAdminApiHandler(await depsFromEnvironment(adminApiWiring)));

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => (await ready())(event);
