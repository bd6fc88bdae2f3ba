import { atColdStart } from '../../shared/wiring/cold-start';
import { reportSendWiring } from '../../shared/wiring/reports';
import { depsFromEnvironment } from '../../shared/wiring/wiring';
import { minnesotaDateOf } from '../../shared/domain/minnesota-time';
import { JobInputSchema } from '../../shared/api/jobs';
import type { ReportDeps, SendReportsResult } from '../../shared/use-cases/send-reports';
import { sendReports } from '../../shared/use-cases/send-reports';

export function createReportSendHandler(deps: ReportDeps) {
  return async function handle(input: unknown): Promise<SendReportsResult> {
    const { date } = JobInputSchema.parse(input ?? {});
    return sendReports(deps, date ?? minnesotaDateOf(deps.clock()));
  };
}

const ready = atColdStart(async () => createReportSendHandler(await depsFromEnvironment(reportSendWiring)));

export const handler = async (input: unknown): Promise<SendReportsResult> => (await ready())(input);
