/**
 * `npm run pal -- <command>`: the PAL point of contact's tool. Against the local stack when
 * `npm start` is running (it reads .local/stack.json), otherwise against AWS with the environment
 * a deployed function has (table and bucket names, endpoints from the SDK's usual chain).
 *
 *   reports send [--date YYYY-MM-DD]   build and email the reports whose send date is that day
 *   reports due  [--date YYYY-MM-DD]   reminders, overdue marks and the OverdueReports metric
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LocalCredentials } from '../../shared/adapters/aws-clients';
import { buildReportDeps } from '../../shared/adapters/report-deps';
import { withSecrets } from '../../shared/adapters/secrets';
import { loadConfig, ReportsConfigSchema } from '../../shared/config';
import { IsoDateSchema, minnesotaDateOf } from '../../shared/domain/minnesota-time';
import { checkDueReports } from '../../shared/use-cases/check-due-reports';
import { sendReports } from '../../shared/use-cases/send-reports';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The CLI prints its own summary; the use cases' JSON logs would drown it.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

const USAGE = `Usage: npm run pal -- reports send [--date YYYY-MM-DD]
       npm run pal -- reports due  [--date YYYY-MM-DD]`;

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

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { date: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [group, command] = positionals;
  if (values.help || group !== 'reports' || (command !== 'send' && command !== 'due')) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const date = values.date ?? minnesotaDateOf(new Date());
  const dateCheck = IsoDateSchema.safeParse(date);
  if (!dateCheck.success) {
    console.error(`--date ${date}: must be a date as YYYY-MM-DD`);
    return 2;
  }
  const { env, credentials, where } = environment();
  const deps = {
    ...buildReportDeps(
      loadConfig(ReportsConfigSchema, await withSecrets(env, ['SIGNING_SECRET'])),
      'pal-cli',
      credentials,
    ),
    // The OverdueReports metric is the scheduled function's to publish; from a terminal, the count is printed.
    metrics: { overdueReports: () => undefined },
  };

  if (command === 'send') {
    const result = await sendReports(deps, date);
    console.log(`Report send for ${date} on ${where}: windows sending today: ${result.windows.join(', ') || 'none'}`);
    for (const r of result.sent) console.log(`  sent     ${r.reportId}  (${r.referralCount} referrals)`);
    for (const id of result.alreadySent) console.log(`  skipped  ${id}  (already sent)`);
    if (result.windows.length > 0 && result.sent.length + result.alreadySent.length === 0) {
      console.log('  no organization received referrals in the window');
    }
  } else {
    const result = await checkDueReports(deps, date);
    console.log(`Due-date check for ${date} on ${where}: ${result.overdue} report(s) overdue`);
    for (const id of result.reminded) console.log(`  reminded ${id}`);
    for (const id of result.markedOverdue) console.log(`  overdue  ${id}`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
