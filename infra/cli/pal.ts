/**
 * `npm run pal -- <command>`: the PAL point of contact's tool. Against the local stack when
 * `npm start` is running (it reads .local/stack.json), otherwise against AWS with the environment
 * a deployed admin function has (table, bucket and secret names; credentials from the SDK's chain).
 * The admin API calls the same use cases.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LANGUAGES } from '../../shared/domain/languages';
import type { LanguageCode } from '../../shared/domain/languages';
import { renderCoverageMap } from '../../shared/ops/coverage-map';
import { performanceCsv } from '../../shared/ops/performance-csv';
import { performancePage } from '../../shared/ops/performance-page';
import { performanceWorkbook } from '../../shared/ops/performance-workbook';
import {
  coverageToday,
  DEFAULT_LOOKBACK_DAYS,
  performanceBetween,
  undeliveredLeads,
} from '../../shared/use-cases/admin/ops-figures';
import type { AdminDeps } from '../../shared/wiring/admin';
import { buildAdminDeps, reportDepsOf } from '../../shared/wiring/admin';
import type { LocalCredentials } from '../../shared/adapters/aws-clients';
import { withSecrets } from '../../shared/adapters/secrets';
import { AdminConfigSchema, loadConfig } from '../../shared/config';
import { readImportTable } from '../../shared/use-cases/admin/import-table';
import { opsPage } from '../../shared/use-cases/admin/ops-page';
import { NotFoundError, RuleViolation } from '../../shared/domain/errors';
import { addDays, IsoDateSchema, minnesotaDateOf } from '../../shared/domain/minnesota-time';
import { OrganizationSchema } from '../../shared/domain/organization';
import {
  applyOrganizationImport,
  changeLeadEmail,
  exportOrganizationsCsv,
  planOrganizationImport,
  resumeOrganization,
  rowsFromTable,
  suspendOrganization,
} from '../../shared/use-cases/admin/directory-admin';
import type { FieldChange } from '../../shared/use-cases/admin/organizations';
import { requireOrganization, saveOrganization } from '../../shared/use-cases/admin/organizations';
import { showReferral } from '../../shared/use-cases/admin/referral-admin';
import { checkDueReports } from '../../shared/use-cases/check-due-reports';
import { reassignReferral } from '../../shared/use-cases/reassign-referral';
import { recountWindow } from '../../shared/use-cases/recount-loads';
import { resendLead } from '../../shared/use-cases/resend-lead';
import { planReportSends } from '../../shared/use-cases/plan-report-sends';
import { overdueReports, resendReport } from '../../shared/use-cases/send-reports';

// The CLI prints its own summary; the use cases' JSON logs would drown it.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

const USAGE = `Usage: npm run pal -- <command>

  orgs list                                   the directory
  orgs show ID                                one organization and its change history
  orgs save FILE.json                         add or update an organization from JSON
  orgs import FILE.csv|FILE.xlsx [--dry-run] [--strict]
                                              many at once; --dry-run shows the changes first,
                                              --strict imports nothing if any row is refused
  orgs export [--out FILE.csv]
  orgs set-email ID EMAIL                     change the lead contact (both addresses are told)
  orgs suspend ID --reason TEXT [--resume-on YYYY-MM-DD]
  orgs resume ID
  referrals show ID                           status, routing decision, outcome, history
  referrals reassign ID --reason TEXT [--to ORG]
  referrals undelivered [--days N]            lead emails in doubt, refused or stalled
  referrals resend ID --reason TEXT           email an undelivered lead again, once you know it is not there
  loads recount WINDOW_ID                     rebuild organizations' load counters for one reporting
                                              window from its referrals (e.g. 2026-11-16_2026-11-29)
  reports send [--date YYYY-MM-DD]            request the reports whose send date is that day (report-build builds each)
  reports due  [--date YYYY-MM-DD]            reminders, overdue marks
  reports resend REPORT_ID
  reports overdue [--date YYYY-MM-DD]
  coverage [--days N] [--map FILE.svg] [--type navigator|broker] [--language CODE]
                                              active organizations and referrals per county
  performance [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format csv|xlsx|html|json] [--out FILE]
  ops-page [--out FILE.html]                  the read-only ops page`;

class UsageError extends Error {}

function environment(): { env: Record<string, string | undefined>; credentials?: LocalCredentials; where: string } {
  const stackFile = join(process.env.PAL_DATA_DIR ?? join(__dirname, '..', '..', '.local'), 'stack.json');
  if (existsSync(stackFile)) {
    const stack = JSON.parse(readFileSync(stackFile, 'utf8')) as { pid: number; env: Record<string, string> };
    if (isRunning(stack.pid)) {
      return {
        env: stack.env,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
        where: 'the local stack',
      };
    }
  }
  return { env: process.env, where: 'AWS' };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function changesText(changes: readonly FieldChange[]): string {
  return changes.length === 0
    ? '  (no change)'
    : changes.map((c) => `  ${c.field}: ${c.oldValue ?? '—'} → ${c.newValue ?? '—'}`).join('\n');
}

function progress(done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\rImporting [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
  if (done === total) process.stderr.write('\n');
}

async function run(deps: AdminDeps, where: string, argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      date: { type: 'string' },
      reason: { type: 'string' },
      'resume-on': { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string' },
      'dry-run': { type: 'boolean' },
      strict: { type: 'boolean' },
      days: { type: 'string' },
      map: { type: 'string' },
      type: { type: 'string' },
      language: { type: 'string' },
      from: { type: 'string' },
      format: { type: 'string' },
    },
  });
  const [group, command, ...args] = positionals;
  const actor = process.env.PAL_ACTOR ?? `cli:${userInfo().username}`;
  const date = values.date ?? minnesotaDateOf(new Date());
  if (!IsoDateSchema.safeParse(date).success) throw new UsageError(`--date ${date}: must be a date as YYYY-MM-DD`);
  const need = (value: string | undefined, what: string) => {
    if (!value) throw new UsageError(`missing ${what}`);
    return value;
  };

  const days = Number(values.days ?? DEFAULT_LOOKBACK_DAYS);
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new UsageError('--days: a whole number from 1 to 366');
  const write = (data: string | Buffer) => {
    if (values.out) writeFileSync(values.out, data);
    else process.stdout.write(data);
  };

  if (group === 'coverage') {
    const coverage = await coverageToday(deps, date, days);
    if (values.map) {
      const type = values.type === 'broker' ? 'broker' : 'navigator';
      const language = values.language && values.language in LANGUAGES ? (values.language as LanguageCode) : undefined;
      writeFileSync(values.map, renderCoverageMap(coverage, { assisterType: type, ...(language && { language }) }));
      console.log(`Map of ${type} coverage written to ${values.map}`);
    }
    console.log(`Coverage on ${date} (referrals of the last ${days} days); no active organization:`);
    for (const gap of coverage.uncovered) {
      const c = coverage.counties.find((x) => x.countyFips === gap.countyFips && x.assisterType === gap.assisterType);
      console.log(
        `  ${(c?.countyName ?? gap.countyFips).padEnd(20)} ${gap.assisterType.padEnd(9)} ${c?.referrals ?? 0} referral(s)`,
      );
    }
    if (coverage.uncovered.length === 0) console.log('  none');
    return 0;
  }
  if (group === 'performance') {
    const to = values.date ?? date;
    const from = values.from ?? addDays(to, -90);
    if (!IsoDateSchema.safeParse(from).success) throw new UsageError(`--from ${from}: must be a date as YYYY-MM-DD`);
    const performance = await performanceBetween(deps, from, to, date);
    const format = values.format ?? 'csv';
    if (format === 'csv') write(performanceCsv(performance));
    else if (format === 'xlsx') write(await performanceWorkbook(performance));
    else if (format === 'html') write(performancePage(performance));
    else if (format === 'json') write(`${JSON.stringify(performance, null, 2)}\n`);
    else throw new UsageError('--format: csv, xlsx, html or json');
    return 0;
  }
  if (group === 'ops-page') {
    write(await opsPage(deps, date, days));
    return 0;
  }

  switch (`${group} ${command}`) {
    case 'orgs list':
      for (const o of (await deps.directory.list()).sort((a, b) => a.organizationId.localeCompare(b.organizationId))) {
        const status = o.status.state === 'suspended' ? `suspended (${o.status.reason})` : 'active';
        const coverage = o.coverage.kind === 'statewide' ? 'statewide' : `${o.coverage.counties.length} counties`;
        console.log(`${o.organizationId.padEnd(38)} ${o.type.padEnd(9)} ${coverage.padEnd(12)} ${status}`);
      }
      return 0;
    case 'orgs show': {
      const id = need(args[0], 'organization id');
      console.log(JSON.stringify(await requireOrganization(deps, id), null, 2));
      for (const h of await deps.audit.list(`organization#${id}`)) {
        console.log(`${h.at}  ${h.actor}  ${h.action}  ${h.field ?? ''}: ${h.oldValue ?? '—'} → ${h.newValue ?? '—'}`);
      }
      return 0;
    }
    case 'orgs save': {
      const parsed = OrganizationSchema.safeParse(JSON.parse(readFileSync(need(args[0], 'FILE.json'), 'utf8')));
      if (!parsed.success) {
        for (const i of parsed.error.issues) console.error(`${i.path.join('.')}: ${i.message}`);
        return 1;
      }
      const { changes } = await saveOrganization(deps, parsed.data, actor);
      console.log(`${parsed.data.organizationId} saved on ${where}:\n${changesText(changes)}`);
      return 0;
    }
    case 'orgs import': {
      const file = need(args[0], 'FILE.csv or FILE.xlsx');
      const data = readFileSync(file);
      const table = await readImportTable(data);
      const plan = await planOrganizationImport(deps, rowsFromTable(table));
      for (const o of plan.added) console.log(`add     ${o.organizationId}`);
      for (const c of plan.changed) console.log(`change  ${c.organization.organizationId}\n${changesText(c.changes)}`);
      for (const id of plan.unchanged) console.log(`same    ${id}`);
      for (const r of plan.refused) {
        console.log(`refuse  row ${r.row}${r.organizationId ? ` (${r.organizationId})` : ''}`);
        for (const i of r.issues) console.log(`          ${i.field} [${i.rule}]: ${i.message}`);
      }
      const strict = values.strict === true;
      const nothing = strict && plan.refused.length > 0;
      if (values['dry-run']) {
        console.log(
          `Dry run: ${nothing ? 'nothing would be imported (--strict, refused rows)' : `${plan.added.length} would be added, ${plan.changed.length} changed`}; ${plan.refused.length} refused.`,
        );
        return plan.refused.length > 0 ? 1 : 0;
      }
      const { saved } = await applyOrganizationImport(deps, plan, { strict, actor, onProgress: progress });
      console.log(`Imported ${saved} organization(s) on ${where}; ${plan.refused.length} row(s) refused.`);
      return plan.refused.length > 0 ? 1 : 0;
    }
    case 'orgs export': {
      const csv = await exportOrganizationsCsv(deps);
      if (values.out) writeFileSync(values.out, csv);
      else process.stdout.write(csv);
      return 0;
    }
    case 'orgs set-email': {
      const { changes } = await changeLeadEmail(deps, need(args[0], 'organization id'), need(args[1], 'EMAIL'), actor);
      console.log(`Lead contact changed (both addresses told):\n${changesText(changes)}`);
      return 0;
    }
    case 'orgs suspend': {
      const { changes } = await suspendOrganization(
        deps,
        need(args[0], 'organization id'),
        need(values.reason, '--reason'),
        values['resume-on'],
        actor,
      );
      console.log(`Suspended:\n${changesText(changes)}`);
      return 0;
    }
    case 'orgs resume': {
      const { changes } = await resumeOrganization(deps, need(args[0], 'organization id'), actor);
      console.log(`Resumed:\n${changesText(changes)}`);
      return 0;
    }
    case 'referrals show': {
      const { referral, history } = await showReferral(deps, need(args[0], 'referral id'));
      const { consumer: _consumer, ...rest } = referral;
      console.log(JSON.stringify(rest, null, 2));
      for (const h of history)
        console.log(`${h.at}  ${h.actor}  ${h.action}  ${h.field ?? ''} ${h.oldValue ?? ''} ${h.newValue ?? ''}`);
      return 0;
    }
    case 'referrals reassign': {
      const result = await reassignReferral(deps, {
        referralId: need(args[0], 'referral id'),
        ...(values.to && { toOrganizationId: values.to }),
        actor,
        reason: need(values.reason, '--reason'),
      });
      console.log(
        `Reassigned ${result.referralId}: ${result.fromOrganizationId ?? '(unroutable)'} → ${result.toOrganizationId} (lead ${result.delivery.outcome})`,
      );
      return 0;
    }
    case 'loads recount': {
      const result = await recountWindow(deps, need(args[0], 'reporting window id'));
      console.log(`Recounted ${result.windowId}: ${result.leads} lead(s) over ${result.organizations} organization(s)`);
      return 0;
    }
    case 'referrals undelivered': {
      const leads = await undeliveredLeads(deps, date, days, new Date());
      for (const l of leads) {
        console.log(
          `${l.referralId}  ${l.organizationId}  ${l.state}${l.errorCode ? ` (${l.errorCode})` : ''}  since ${l.since}`,
        );
      }
      if (leads.length === 0) console.log(`Every lead of the last ${days} days is emailed or on its way.`);
      return 0;
    }
    case 'referrals resend': {
      const result = await resendLead(deps, {
        referralId: need(args[0], 'referral id'),
        actor,
        reason: need(values.reason, '--reason'),
      });
      console.log(
        `Resent ${result.referralId} to ${result.organizationId} (was ${result.previousState}; lead ${result.delivery.outcome})`,
      );
      return 0;
    }
    case 'reports send': {
      // The job's plan: one Report Build Requested each, built and emailed by report-build off the bus.
      const result = await planReportSends(reportDepsOf(deps), date);
      console.log(
        `Report send for ${date} on ${where}: windows sending that day: ${result.windows.join(', ') || 'none'}`,
      );
      for (const r of result.requested) console.log(`  requested ${r.reportId}  (built and emailed off the bus)`);
      for (const id of result.alreadySent) console.log(`  skipped   ${id}  (already sent)`);
      return 0;
    }
    case 'reports due': {
      // The OverdueReports metric is the scheduled function's to publish; from a terminal, the count is printed.
      const result = await checkDueReports(
        { ...reportDepsOf(deps), metrics: { overdueReports: () => undefined } },
        date,
      );
      console.log(`Due-date check for ${date} on ${where}: ${result.overdue} report(s) overdue`);
      for (const id of result.reminded) console.log(`  reminded ${id}`);
      for (const id of result.markedOverdue) console.log(`  overdue  ${id}`);
      return 0;
    }
    case 'reports resend': {
      const result = await resendReport(reportDepsOf(deps), need(args[0], 'report id'));
      console.log(
        result ? `Resent ${result.reportId} (${result.referralCount} referrals)` : 'No referrals: nothing sent',
      );
      return 0;
    }
    case 'reports overdue': {
      const reports = await overdueReports(deps, date);
      for (const r of reports)
        console.log(
          `${r.reportId}  due ${r.dueDate}  ${r.missingReferralIds?.length ?? r.referralCount} without outcome`,
        );
      if (reports.length === 0) console.log(`No report is overdue on ${date}.`);
      return 0;
    }
    default:
      throw new UsageError(group ? `unknown command: ${group} ${command ?? ''}` : 'no command');
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  const { env, credentials, where } = environment();
  const config = loadConfig(AdminConfigSchema, await withSecrets(env, ['CONSUMER_KEY_SECRET', 'SIGNING_SECRET']));
  try {
    return await run(buildAdminDeps(config, 'pal-cli', credentials), where, argv);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof RuleViolation) {
      console.error(`${error.field} [${error.rule}]: ${error.message}`);
      return 1;
    }
    if (error instanceof NotFoundError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
