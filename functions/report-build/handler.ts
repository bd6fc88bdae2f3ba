import type { EventBridgeEvent } from 'aws-lambda';
import { ReportBuildRequested } from '../../events/report-events';
import { atColdStart } from '../../shared/wiring/cold-start';
import { reportBuildWiring } from '../../shared/wiring/reports';
import { depsFromEnvironment } from '../../shared/wiring/wiring';
import type { ReportDeps, ReportSendOutcome } from '../../shared/use-cases/send-reports';
import { sendReport } from '../../shared/use-cases/send-reports';

/**
 * On `Report Build Requested` (one per report the daily report-send job planned): build, store and
 * email that one report. A throw makes the delivery retry (then dead-letter, alarmed); the claim on
 * the report keeps a redelivered unit from emailing twice.
 */
export function createReportBuildHandler(deps: ReportDeps) {
  return async function handle(event: EventBridgeEvent<string, unknown>): Promise<ReportSendOutcome> {
    const parsed = ReportBuildRequested.envelopeSchema.safeParse(event);
    if (!parsed.success) {
      deps.log.error('Not a Report Build Requested event', { detailType: event['detail-type'], eventId: event.id });
      throw new Error('report-build received an event that is not a valid Report Build Requested');
    }
    return sendReport(deps, parsed.data.detail.data);
  };
}

const ready = atColdStart(async () => createReportBuildHandler(await depsFromEnvironment(reportBuildWiring)));

export const handler = async (event: EventBridgeEvent<string, unknown>): Promise<ReportSendOutcome> =>
  (await ready())(event);
