import { ReportBuildRequested } from '../../events/report-events';
import { buildReportDeps } from '../../shared/adapters/report-deps';
import { atColdStart } from '../../shared/adapters/cold-start';
import { withSecrets } from '../../shared/adapters/secrets';
import { loadConfig, ReportsConfigSchema } from '../../shared/config';
import { minnesotaDateOf } from '../../shared/domain/minnesota-time';
import { JobInputSchema } from '../../shared/api/jobs';
import type { ReportSendPlan } from '../../shared/use-cases/plan-report-sends';
import { planReportSends } from '../../shared/use-cases/plan-report-sends';
import type { ReportDeps, ReportSendOutcome } from '../../shared/use-cases/send-reports';
import { sendReport } from '../../shared/use-cases/send-reports';

/**
 * Two inputs, one function (the same data and permissions): the daily schedule's `{}` or `{ date }`
 * plans the day's reports and publishes one `Report Build Requested` each; each of those events,
 * delivered by its rule, builds and emails that one report. A throw makes EventBridge retry the
 * unit (then dead-letter it); the claim on the report keeps a retry from emailing twice.
 */
export function createReportSendHandler(deps: ReportDeps) {
  return async function handle(input: unknown): Promise<ReportSendPlan | ReportSendOutcome> {
    if (input && typeof input === 'object' && 'detail-type' in input) {
      const parsed = ReportBuildRequested.envelopeSchema.safeParse(input);
      if (!parsed.success) throw new Error('report-send received an event that is not a valid Report Build Requested');
      return sendReport(deps, parsed.data.detail.data);
    }
    const { date } = JobInputSchema.parse(input ?? {});
    return planReportSends(deps, date ?? minnesotaDateOf(deps.clock()));
  };
}

const ready = atColdStart(async () =>
  createReportSendHandler(
    buildReportDeps(loadConfig(ReportsConfigSchema, await withSecrets(process.env, ['SIGNING_SECRET'])), 'report-send'),
  ),
);

export const handler = async (input: unknown): Promise<ReportSendPlan | ReportSendOutcome> => (await ready())(input);
