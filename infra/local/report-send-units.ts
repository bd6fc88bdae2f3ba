import type { EventBridgeEvent } from 'aws-lambda';
import { ReportBuildRequested } from '../../events/catalog';
import type { ReportSendPlan } from '../../shared/use-cases/plan-report-sends';
import type { ReportSendOutcome } from '../../shared/use-cases/send-reports';
import type { LocalEventBus } from './local-event-bus';

/** A run of the report-send job on the local stack: its plan, and what each unit's delivery did. */
export interface ReportSendRun extends ReportSendPlan {
  readonly built: readonly ReportSendOutcome[];
}

type ReportSendHandler = (input: unknown) => Promise<ReportSendPlan | ReportSendOutcome>;

/**
 * report-send on the local bus as on AWS: a rule delivers each `Report Build Requested` the job
 * planned to report-send, which builds that one report. Returns the job: its plan for a date, once
 * the bus has delivered every unit (and its retries), with what each delivery did.
 */
export function reportSendOnBus(bus: LocalEventBus, send: ReportSendHandler) {
  const builds: ReportSendOutcome[] = [];
  bus.addRule({
    name: 'report-build',
    detailTypes: [ReportBuildRequested.detailType],
    target: async (event: EventBridgeEvent<string, unknown>) => {
      const outcome = await send(event);
      if ('outcome' in outcome) builds.push(outcome);
    },
  });
  const run = async (date?: string): Promise<ReportSendRun> => {
    const from = builds.length;
    const plan = await send(date ? { date } : {});
    if (!('requested' in plan)) throw new Error('report-send answered its schedule input with no plan');
    await bus.idle();
    return { ...plan, built: builds.slice(from) };
  };
  return run;
}
