import { atColdStart } from '../../shared/wiring/cold-start';
import { reportSendWiring } from '../../shared/wiring/reports';
import { depsFromEnvironment } from '../../shared/wiring/wiring';
import { minnesotaDateOf } from '../../shared/domain/minnesota-time';
import { JobInputSchema } from '../../shared/api/jobs';
import type { ReportSendPlan } from '../../shared/use-cases/plan-report-sends';
import { planReportSends } from '../../shared/use-cases/plan-report-sends';
import type { ReportDeps } from '../../shared/use-cases/send-reports';

/**
 * The daily job, `{}` (today in Minnesota) or `{ date }`: it plans the day's reports and publishes
 * one `Report Build Requested` each; report-build builds and emails each in its own invocation.
 */
export function createReportSendHandler(deps: ReportDeps) {
  return async function handle(input: unknown): Promise<ReportSendPlan> {
    const { date } = JobInputSchema.parse(input ?? {});
    return planReportSends(deps, date ?? minnesotaDateOf(deps.clock()));
  };
}

const ready = atColdStart(async () => createReportSendHandler(await depsFromEnvironment(reportSendWiring)));

export const handler = async (input: unknown): Promise<ReportSendPlan> => (await ready())(input);
