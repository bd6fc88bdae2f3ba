import { buildReportDeps } from '../../shared/adapters/report-deps';
import { atColdStart } from '../../shared/adapters/cold-start';
import { withSecrets } from '../../shared/adapters/secrets';
import { loadConfig, ReportsConfigSchema } from '../../shared/config';
import { minnesotaDateOf } from '../../shared/domain/minnesota-time';
import type { DueDeps, DueResult } from '../../shared/use-cases/check-due-reports';
import { checkDueReports } from '../../shared/use-cases/check-due-reports';
import { JobInputSchema } from '../../shared/api/jobs';

export function createReportDueHandler(deps: DueDeps) {
  return async function handle(input: unknown): Promise<DueResult> {
    const { date } = JobInputSchema.parse(input ?? {});
    return checkDueReports(deps, date ?? minnesotaDateOf(deps.clock()));
  };
}

const ready = atColdStart(async () =>
  createReportDueHandler(
    buildReportDeps(loadConfig(ReportsConfigSchema, await withSecrets(process.env, ['SIGNING_SECRET'])), 'report-due'),
  ),
);

export const handler = async (input: unknown): Promise<DueResult> => (await ready())(input);
