import { atColdStart } from '../../shared/wiring/cold-start';
import { reportDueWiring } from '../../shared/wiring/reports';
import { depsFromEnvironment } from '../../shared/wiring/wiring';
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

const ready = atColdStart(async () => createReportDueHandler(await depsFromEnvironment(reportDueWiring)));

export const handler = async (input: unknown): Promise<DueResult> => (await ready())(input);
